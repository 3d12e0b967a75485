namespace IntegrationsPortal.Tests.Ui;

/// <summary>The portal's own pages break none of its CSP rules in a real browser.</summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed class ContentSecurityPolicyUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task SignInAndInteractivePages_LoadWithoutCspViolations()
    {
        var violations = new List<string>();
        Page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };

        await SignInAsync(portal.Acme.AdminEmail);
        foreach (var path in new[] { "/integrations", "/catalog", "/settings", "/deliveries" })
        {
            await GotoInteractiveAsync(path);
        }

        // The reconnect dialog's Reload: its handler must be allowed to run, and it reloads the page the
        // operator is on (a link to "" went to the <base href>, the home page, issue 20).
        var before = await Page.EvaluateAsync<double>("() => performance.timeOrigin");
        await Page.EvaluateAsync("() => document.querySelector('.reconnect-failed .reconnect-reload').click()");
        await Page.WaitForFunctionAsync($"() => performance.timeOrigin !== {before.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        await WaitForInteractiveAsync();

        Assert.Equal(new Uri(RootUri, "deliveries").ToString(), Page.Url);
        Assert.Empty(violations);
    }
}
