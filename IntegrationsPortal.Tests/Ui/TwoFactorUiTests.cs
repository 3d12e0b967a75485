using IntegrationsPortal.Features.Accounts;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

[Collection(SetUpPortalUiCollection.Name)]
public sealed class TwoFactorUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task User_TurnsOnTwoFactor_ThenSignsInWithACode_AndOnceWithARecoveryCode()
    {
        const string email = "tom@acme.test";
        await portal.App.Services.AddUserAsync(portal.Acme, email, PortalRoles.Viewer);
        await SignInAsync(email);

        await ByTestId("user-menu-open").ClickAsync();
        await ByTestId("two-factor-link").ClickAsync();
        await Expect(ByTestId("two-factor-qr")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("/account/two-factor (set-up)");
        var authenticator = await ReadAuthenticatorAsync();

        await ByTestId("two-factor-code").FillAsync(WrongCode(authenticator));
        await ByTestId("two-factor-confirm").ClickAsync();
        await Expect(Page.Locator(".form-field", new() { Has = ByTestId("two-factor-code") })).ToContainTextAsync("That code is not right");
        await ByTestId("two-factor-code").FillAsync(authenticator.ComputeTotp());
        await ByTestId("two-factor-confirm").ClickAsync();

        var recoveryCodes = ByTestId("recovery-codes").Locator("li");
        await Expect(recoveryCodes).ToHaveCountAsync(10);
        var recoveryCode = (await recoveryCodes.First.TextContentAsync())!.Trim();
        await ExpectNoSeriousAccessibilityViolationsAsync("/account/two-factor (recovery codes)");
        // Turning it on renewed this session's cookie: the portal is still open.
        await ByTestId("two-factor-back").ClickAsync();
        await WaitForInteractiveAsync();
        await SignOutAsync();
        await Expect(ByTestId("signed-out")).ToBeVisibleAsync();

        await EnterPasswordAsync(email);
        await ExpectNoSeriousAccessibilityViolationsAsync("/account/login (code step)");
        await ByTestId("login-code").FillAsync(WrongCode(authenticator));
        await ByTestId("login-code-submit").ClickAsync();
        await Expect(Page.Locator(".form-field", new() { Has = ByTestId("login-code") })).ToContainTextAsync("That code is not right");
        await ByTestId("login-code").FillAsync(authenticator.ComputeTotp());
        await ByTestId("login-code-submit").ClickAsync();
        await WaitForInteractiveAsync();
        await Expect(ByTestId("user-name")).ToHaveTextAsync("tom");
        await SignOutAsync();
        await Expect(ByTestId("signed-out")).ToBeVisibleAsync();

        await EnterPasswordAsync(email);
        await ByTestId("login-code").FillAsync(recoveryCode);
        await ByTestId("login-code-submit").ClickAsync();
        await WaitForInteractiveAsync();
        await SignOutAsync();
        await Expect(ByTestId("signed-out")).ToBeVisibleAsync();

        // A recovery code works once.
        await EnterPasswordAsync(email);
        await ByTestId("login-code").FillAsync(recoveryCode);
        await ByTestId("login-code-submit").ClickAsync();
        await Expect(Page.Locator(".form-field", new() { Has = ByTestId("login-code") })).ToContainTextAsync("That code is not right");

        // Turning it off asks for a current code; then the password alone signs in again.
        await ByTestId("login-code").FillAsync(authenticator.ComputeTotp());
        await ByTestId("login-code-submit").ClickAsync();
        await WaitForInteractiveAsync();
        await Page.GotoAsync("/account/two-factor");
        await ByTestId("two-factor-disable-code").FillAsync(WrongCode(authenticator));
        await ByTestId("two-factor-disable").ClickAsync();
        await Expect(Page.Locator(".form-field", new() { Has = ByTestId("two-factor-disable-code") })).ToContainTextAsync("That code is not right");
        await ByTestId("two-factor-disable-code").FillAsync(authenticator.ComputeTotp());
        await ByTestId("two-factor-disable").ClickAsync();
        await Expect(ByTestId("two-factor-disabled")).ToBeVisibleAsync();
        await Page.Context.ClearCookiesAsync();
        await SignInAsync(email);
    }

    [Fact]
    public async Task WhenTheOrganizationRequiresIt_AUserWithoutTwoFactor_CanOnlySetItUp()
    {
        const string admin = "ana@acme.test", viewer = "uwe@acme.test";
        await portal.App.Services.AddUserAsync(portal.Acme, admin, PortalRoles.Admin);
        await portal.App.Services.AddUserAsync(portal.Acme, viewer, PortalRoles.Viewer);
        await SignInAsync(admin);
        await GotoInteractiveAsync("/settings");
        try
        {
            await Page.GetByText("for this organization").ClickAsync();
            // MudSwitch puts the test id on its checkbox.
            await Expect(Page.Locator("input[data-testid=require-two-factor], [data-testid=require-two-factor] input")).ToBeCheckedAsync();
            // The switch flips at once; the setting is saved when the portal says so (a page opened before
            // that still loads, which is what failed this test under CI load).
            await Expect(Page.GetByText("Users without two-factor sign-in must set it up before anything else.")).ToBeVisibleAsync();

            // The Admin has no second factor either: their next page is the set-up.
            await Page.GotoAsync("/");
            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/two-factor$"));
            await Page.Context.ClearCookiesAsync();

            await SubmitPasswordAsync(viewer);
            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/two-factor$"));
            await Page.GotoAsync("/settings");
            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/two-factor$"));
            Assert.Equal(403, (await Page.APIRequest.GetAsync("/api/me")).Status);

            var authenticator = await ReadAuthenticatorAsync();
            await ByTestId("two-factor-code").FillAsync(authenticator.ComputeTotp());
            await ByTestId("two-factor-confirm").ClickAsync();
            await Expect(ByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);
            await GotoInteractiveAsync("/settings");
            Assert.Equal(200, (await Page.APIRequest.GetAsync("/api/me")).Status);
        }
        finally
        {
            // The portal is shared with other tests: their users have no second factor.
            await using var scope = portal.App.Services.AsAdmin(portal.Acme);
            await scope.ServiceProvider.GetRequiredService<IntegrationsPortal.Features.Settings.SettingsService>().SetRequireTwoFactorAsync(false, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The first step of sign-in; a user with two-factor sign-in is then asked for a code.</summary>
    private async Task EnterPasswordAsync(string email)
    {
        await SubmitPasswordAsync(email);
        await Expect(ByTestId("login-code")).ToBeVisibleAsync();
    }

    private async Task SubmitPasswordAsync(string email)
    {
        await Page.GotoAsync("/account/login");
        await ByTestId("login-email").FillAsync(email);
        await ByTestId("login-password").FillAsync(TestPasswords.Strong);
        await ByTestId("login-submit").ClickAsync();
    }

    /// <summary>An authenticator app set up by hand from the key the two-factor page shows.</summary>
    private async Task<Totp> ReadAuthenticatorAsync() =>
        new(Base32Encoding.ToBytes((await ByTestId("two-factor-key").TextContentAsync())!.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()));

    private static string WrongCode(Totp authenticator) =>
        ((int.Parse(authenticator.ComputeTotp(), System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
