using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

[Collection(SetUpPortalUiCollection.Name)]
public sealed class SettingsUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Admin_AddsAUser_AndTheListUpdatesWithoutAReload()
    {
        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/settings");
        await Page.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "Users" }).ClickAsync();
        // A marker on the window survives only if the page is never reloaded.
        await Page.EvaluateAsync("() => window.noReloadMarker = 'still here'");

        await ByTestId("add-user").ClickAsync();
        await ByTestId("new-user-name").FillAsync("Otto Operator");
        await ByTestId("new-user-email").FillAsync("not-an-email");
        await ByTestId("new-user-password").FillAsync(TestPasswords.Strong);
        await ByTestId("new-user-role").ClickAsync();
        await Page.GetByRole(Microsoft.Playwright.AriaRole.Option, new() { Name = "Operator" }).ClickAsync();
        await ByTestId("new-user-save").ClickAsync();
        await Expect(Page.Locator(".form-field", new() { Has = ByTestId("new-user-email") })).ToContainTextAsync("Enter a valid email address.");

        // Submitted straight after typing, as an operator would: the form must take the corrected address.
        await ByTestId("new-user-email").FillAsync("otto@acme.test");
        await ByTestId("new-user-save").ClickAsync();

        // Adding a user hashes a password: give a busy machine more than the default 5 s.
        await Expect(Page.Locator("tr", new() { HasText = "otto@acme.test" })).ToContainTextAsync("Operator", new() { Timeout = 15_000 });
        await Expect(ByTestId("add-user-form")).ToHaveCountAsync(0);
        Assert.Equal("still here", await Page.EvaluateAsync<string>("() => window.noReloadMarker"));
    }

    [Fact]
    public async Task Viewer_SeesTheOrganization_ButNoUserManagementOrEditing()
    {
        await SignInAsync(SetUpPortalUiFixture.ViewerEmail);
        await GotoInteractiveAsync("/settings");

        await Expect(ByTestId("org-name")).ToHaveTextAsync("Acme Energy");
        await Expect(Page.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "Users" })).ToHaveCountAsync(0);
        await Expect(ByTestId("org-save")).ToHaveCountAsync(0);
        await Expect(ByTestId("user-role")).ToHaveTextAsync("Viewer");
    }

    [Fact]
    public async Task ThemeToggle_SwitchesToDark_WithoutAReload_AndTheNextVisitStartsDark()
    {
        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/integrations");
        await Page.EvaluateAsync("() => window.noReloadMarker = 'still here'");
        var lightBackground = await BodyBackgroundAsync();
        await Expect(Page.Locator("[data-theme=light]")).ToBeVisibleAsync();

        await ByTestId("theme-toggle").ClickAsync();

        await Expect(Page.Locator("[data-theme=dark]")).ToBeVisibleAsync();
        Assert.NotEqual(lightBackground, await BodyBackgroundAsync());
        Assert.Equal("still here", await Page.EvaluateAsync<string>("() => window.noReloadMarker"));

        // The choice is kept: the server paints the next visit dark before the circuit starts.
        var html = await (await Page.APIRequest.GetAsync("/settings")).TextAsync();
        Assert.Contains("data-theme=\"dark\"", html, StringComparison.Ordinal);

        await ByTestId("theme-toggle").ClickAsync();
        await Expect(Page.Locator("[data-theme=light]")).ToBeVisibleAsync();
    }

    private Task<string> BodyBackgroundAsync() =>
        Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
