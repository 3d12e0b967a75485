using IntegrationsPortal.Features.Accounts;
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
        var authenticator = new Totp(Base32Encoding.ToBytes((await ByTestId("two-factor-key").TextContentAsync())!.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()));

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
    }

    /// <summary>The first step of sign-in; a user with two-factor sign-in is then asked for a code.</summary>
    private async Task EnterPasswordAsync(string email)
    {
        await Page.GotoAsync("/account/login");
        await ByTestId("login-email").FillAsync(email);
        await ByTestId("login-password").FillAsync(TestPasswords.Strong);
        await ByTestId("login-submit").ClickAsync();
        await Expect(ByTestId("login-code")).ToBeVisibleAsync();
    }

    private static string WrongCode(Totp authenticator) =>
        ((int.Parse(authenticator.ComputeTotp(), System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
