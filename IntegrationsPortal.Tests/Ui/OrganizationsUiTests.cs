using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>
/// The operator's walk through organizations: the platform administrator creates one and invites its
/// first Admin, who accepts in another browser, is invited into Acme as well, and switches between the two.
/// </summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed class OrganizationsUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task PlatformAdmin_CreatesAnOrganization_ItsInvitedAdminAcceptsInAnotherBrowser_AndSwitchesBetweenOrganizations()
    {
        var name = $"Initech {Guid.NewGuid().ToString("N")[..8]}";
        var email = $"first-{Guid.NewGuid():N}@initech.test";
        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/platform");
        await ByTestId("create-org-name").FillAsync(name);
        await ByTestId("create-org-name").PressAsync("Tab");
        await ByTestId("create-org-save").ClickAsync();
        await ByTestId($"invite-{name}").ClickAsync();
        var firstAdminLink = await InviteAsync("invite-admin", email);

        // The invited Admin, in a browser of their own: a new account, signed in to the new organization.
        await using var inviteeBrowser = await NewBrowserContextAsync();
        var invitee = await inviteeBrowser.NewPageAsync();
        await invitee.GotoAsync(firstAdminLink);
        await Expect(invitee.GetByTestId("invitation-summary")).ToContainTextAsync(name);
        await invitee.GetByTestId("invitation-name").FillAsync("Ines Initech");
        await invitee.GetByTestId("invitation-password").FillAsync(TestPasswords.Strong);
        await invitee.GetByTestId("invitation-confirm").FillAsync(TestPasswords.Strong);
        await invitee.GetByTestId("invitation-create").ClickAsync();
        await Expect(invitee.GetByTestId("user-organization")).ToHaveTextAsync(name, new() { Timeout = 20_000 });

        // Acme's Admin invites the same person into Acme; signed in, they join with one click.
        await GotoInteractiveAsync("/settings");
        await OpenTabAsync("Users");
        var acmeLink = await InviteAsync("invite", email);
        await invitee.GotoAsync(acmeLink);
        await invitee.GetByTestId("invitation-join").ClickAsync();
        await Expect(invitee.GetByTestId("user-organization")).ToHaveTextAsync("Acme Energy", new() { Timeout = 20_000 });
        await Expect(invitee.GetByTestId("user-role")).ToHaveTextAsync("Viewer");

        // The user menu switches back; the page reloads in the other organization, with its role there.
        await Expect(invitee.Locator("[data-interactive=true]")).ToBeVisibleAsync();
        await invitee.GetByTestId("user-menu-open").ClickAsync();
        await invitee.Locator($"[data-testid=switch-organization][data-organization='{name}']").ClickAsync();
        await Expect(invitee.GetByTestId("user-organization")).ToHaveTextAsync(name, new() { Timeout = 20_000 });
        await Expect(invitee.GetByTestId("user-role")).ToHaveTextAsync("Admin");
    }

    /// <summary>Fills an invite form (test id prefix), submits it and reads the link it shows once.</summary>
    private async Task<string> InviteAsync(string form, string email)
    {
        await ByTestId($"{form}-email").FillAsync(email);
        await ByTestId($"{form}-email").PressAsync("Tab");
        await ByTestId($"{form}-submit").ClickAsync();
        var link = (await ByTestId($"{form}-link-value").TextContentAsync(new() { Timeout = 20_000 }))!.Trim();
        await ByTestId($"{form}-link-done").ClickAsync();
        return new Uri(link).PathAndQuery;
    }
}
