using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>A brand-new portal: the first person sets it up, looks around, signs out and back in.</summary>
public sealed class FirstRunWalkTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private readonly PortalAppFactory _app = new();

    protected override Uri RootUri => _app.RootUri!;

    public override async ValueTask InitializeAsync()
    {
        _app.StartOnLoopback();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Setup_SignIn_VisitEveryMenuEntry_InLightAndDarkTheme_SignOut()
    {
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new Regex("/setup$"));
        await ExpectNoSeriousAccessibilityViolationsAsync("the setup page");

        // A mistake first: the form says what is wrong, next to the field.
        await ByTestId("setup-organization").FillAsync("Acme Energy");
        await ByTestId("setup-name").FillAsync("Ada Admin");
        await ByTestId("setup-email").FillAsync("ada@acme.test");
        await ByTestId("setup-password").FillAsync(TestPasswords.Strong);
        await ByTestId("setup-confirm").FillAsync("a-different-password");
        await ByTestId("setup-submit").ClickAsync();
        await Expect(Page.Locator(".form-field", new() { Has = ByTestId("setup-confirm") })).ToContainTextAsync("The passwords do not match.");

        await ByTestId("setup-password").FillAsync(TestPasswords.Strong);
        await ByTestId("setup-confirm").FillAsync(TestPasswords.Strong);
        await ByTestId("setup-submit").ClickAsync();

        await WaitForInteractiveAsync();
        await Expect(ByTestId("user-name")).ToHaveTextAsync("Ada Admin");
        await Expect(ByTestId("user-role")).ToHaveTextAsync("Admin");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Integrations");

        foreach (var theme in new[] { "light", "dark" })
        {
            if (theme is "dark")
            {
                await ByTestId("theme-toggle").ClickAsync();
            }

            await Expect(Page.Locator($"[data-theme={theme}]")).ToBeVisibleAsync();
            foreach (var (testId, heading) in new[]
                     {
                         ("nav-catalog", "Catalog"), ("nav-places", "Places & devices"), ("nav-flows", "Flows"),
                         ("nav-deliveries", "Delivery history"), ("nav-settings", "Settings"), ("nav-integrations", "Integrations"),
                     })
            {
                await ByTestId(testId).ClickAsync();
                await Expect(Page.Locator("h1")).ToHaveTextAsync(heading);
                await Expect(ByTestId("breadcrumbs")).ToContainTextAsync(heading);
                if (heading is "Flows")
                {
                    await Expect(ByTestId("empty-state")).ToBeVisibleAsync();
                }
                else if (heading is "Delivery history")
                {
                    await Expect(ByTestId("history-grid")).ToContainTextAsync("No messages match.");
                }
                else if (heading is "Catalog")
                {
                    await Expect(ByTestId("type-webhook")).ToBeVisibleAsync();
                }

                await ExpectNoSeriousAccessibilityViolationsAsync($"{heading} ({theme})");
                await SaveScreenshotAsync($"first-run-{theme}-{testId["nav-".Length..]}");
            }
        }

        await SignOutAsync();
        await Expect(ByTestId("signed-out")).ToBeVisibleAsync();
        await Page.GotoAsync("/settings");
        await Expect(Page).ToHaveURLAsync(new Regex("/account/login"));
        // The sign-in page is static, yet already in the theme chosen inside the portal.
        await Expect(Page.Locator("[data-theme=dark]")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("the sign-in page (dark)");

        await ByTestId("login-email").FillAsync("ada@acme.test");
        await ByTestId("login-password").FillAsync(TestPasswords.Strong);
        await ByTestId("login-submit").ClickAsync();
        await WaitForInteractiveAsync();
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Settings"); // back where the sign-in began
    }
}
