using IntegrationsPortal.Features.Accounts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

[Collection(SetUpPortalUiCollection.Name)]
public sealed class PasswordChangeUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    private const string NewPassword = "Lantern orchard 73 quietly";

    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task User_ChangesTheirPassword_FromTheUserMenu_OtherSessionsEnd_ThisOneStays_AndTheNewPasswordSignsIn()
    {
        // A user of this test's own: other tests sign in as the shared accounts.
        const string email = "pia@acme.test";
        await portal.App.Services.AddUserAsync(portal.Acme, email, PortalRoles.Viewer);
        await SignInAsync(email);
        // Another browser holding a copy of this session's cookie.
        await using var other = await NewBrowserContextAsync();
        await other.AddCookiesAsync((await Page.Context.CookiesAsync()).Select(c => new Cookie
        {
            Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
        }));
        var otherPage = await other.NewPageAsync();
        await otherPage.GotoAsync("/integrations");
        await Expect(otherPage.GetByTestId("user-name")).ToBeVisibleAsync();

        await ByTestId("user-menu-open").ClickAsync();
        await ByTestId("change-password-link").ClickAsync();
        await Expect(ByTestId("password-submit")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("/account/password");
        await ByTestId("password-current").FillAsync(TestPasswords.Strong);
        await ByTestId("password-new").FillAsync(NewPassword);
        await ByTestId("password-confirm").FillAsync(NewPassword);
        await ByTestId("password-submit").ClickAsync();

        await Expect(ByTestId("password-changed")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("/account/password (changed)");
        // This session was issued a new cookie: the portal is still open here.
        await ByTestId("password-back").ClickAsync();
        await WaitForInteractiveAsync();
        await Expect(ByTestId("user-name")).ToHaveTextAsync("pia");
        // The copied cookie is sent to sign-in.
        await otherPage.GotoAsync("/integrations");
        await Expect(otherPage).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));

        await Page.Context.ClearCookiesAsync();
        await SignInAsync(email, NewPassword);
        await Expect(ByTestId("user-name")).ToHaveTextAsync("pia");
    }
}
