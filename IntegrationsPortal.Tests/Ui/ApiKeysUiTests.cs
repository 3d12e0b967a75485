using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>An Admin's path through Settings > API keys, and the key working (then not) for a real program.</summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed class ApiKeysUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    private const string Providers = "api/v1/integrations/providers";

    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Admin_CreatesAKey_CopiesIt_AProgramUsesIt_ThenRevokingItLocksTheProgramOut()
    {
        await Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = RootUri.GetLeftPart(UriPartial.Authority) });
        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/settings");
        await OpenTabAsync("API keys");

        await ByTestId("new-api-key").ClickAsync();
        await ByTestId("api-key-name").FillAsync("Browser-made key");
        await ByTestId("api-key-create").ClickAsync();
        var key = (await ByTestId("api-key-value").TextContentAsync())!;
        Assert.StartsWith("ipk_", key, StringComparison.Ordinal);
        await ByTestId("api-key-copy").ClickAsync();
        await Expect(Page.GetByText("Copied to the clipboard.")).ToBeVisibleAsync();
        Assert.Equal(key, await Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await ExpectNoSeriousAccessibilityViolationsAsync("Settings > API keys with a new key shown", "[data-testid=api-keys-panel]");

        using var program = new HttpClient { BaseAddress = RootUri };
        program.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await program.GetAsync(Providers, TestContext.Current.CancellationToken)).StatusCode);
        var row = ByTestId("api-keys-grid").Locator("tr", new() { HasText = "Browser-made key" });
        // The open page follows the program's use without a reload.
        await Expect(row.GetByTestId("api-key-last-used")).Not.ToHaveTextAsync("never");

        await ByTestId("api-key-done").ClickAsync();
        await Expect(ByTestId("api-key-value")).ToHaveCountAsync(0);
        await row.GetByTestId("api-key-revoke").ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Expect(row.GetByTestId("api-key-status")).ToHaveTextAsync("Revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, (await program.GetAsync(Providers, TestContext.Current.CancellationToken)).StatusCode);
        Assert.DoesNotContain(key, await Page.ContentAsync(), StringComparison.Ordinal);
    }
}
