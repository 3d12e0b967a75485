using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Features.Settings.Pages;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Settings;

/// <summary>The Add user form takes what was typed, however soon the operator presses Add user.</summary>
public sealed class AddUserFormTests : ComponentTest
{
    /// <remarks>
    /// A corrected email followed at once by a click on Add user: the browser sends the field's change
    /// and the submit back to back, and on a loaded server the submit could be handled before the change
    /// was applied, so the form validated the old, refused address and the submit was lost (seen in
    /// SettingsUiTests). Here the submit comes with only the typing (input events) applied.
    /// </remarks>
    [Fact]
    public async Task CorrectedEmail_SubmittedBeforeLeavingTheField_AddsTheUser()
    {
        var (portal, acme) = await UsePortalServicesAsync(PortalRoles.Admin);
        string? saved = null;
        var form = Render<AddUserForm>(p => p.Add(x => x.Saved, email => saved = email));
        form.Find("input[data-testid=new-user-name]").Input("Otto Operator");
        form.Find("input[data-testid=new-user-password]").Input(TestPasswords.Strong);
        form.Find("input[data-testid=new-user-email]").Input("not-an-email");
        form.Find("form").Submit();
        form.WaitForAssertion(() => Assert.Contains("Enter a valid email address.", form.Markup, StringComparison.Ordinal));

        form.Find("input[data-testid=new-user-email]").Input("otto@acme.test");
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Equal("otto@acme.test", saved), TimeSpan.FromSeconds(15));
        await using var scope = portal.Services.AsAdmin(acme);
        var users = await scope.ServiceProvider.GetRequiredService<SettingsService>().ListUsersAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Contains(users, u => u.Email == "otto@acme.test");
    }
}
