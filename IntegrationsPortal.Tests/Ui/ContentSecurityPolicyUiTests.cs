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

        // The reconnect dialog's Reload: its handler must be allowed to run.
        await Page.EvaluateAsync("() => document.querySelector('.reconnect-failed .reconnect-reload').click()");
        await WaitForInteractiveAsync();

        Assert.Empty(violations);
    }
}
