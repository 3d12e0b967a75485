using IntegrationsPortal.Features.Accounts.Invitations;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Settings.Pages;

public partial class UsersPanel
{
    private IReadOnlyList<UserSummary>? users;
    private IReadOnlyList<PendingInvitation>? invitations;
    private bool adding;

    [Inject]
    public required SettingsService Settings { get; init; }

    [Inject]
    public required InvitationService Invitations { get; init; }

    protected override async Task OnInitializedAsync()
    {
        users = await Settings.ListUsersAsync();
        await LoadInvitationsAsync();
    }

    private async Task LoadInvitationsAsync() => invitations = await Invitations.ListPendingAsync();

    private async Task RevokeAsync(PendingInvitation invitation)
    {
        await RunAsync(() => Invitations.RevokeAsync(invitation.Id), $"The invitation of {invitation.Email} no longer works.");
        await LoadInvitationsAsync();
    }

    private async Task RemoveAsync(UserSummary user)
    {
        if (await ConfirmAsync("Remove member", $"Remove {user.DisplayName} ({user.Email}) from this organization? Their account and other organizations stay.", "Remove", "Keep"))
        {
            await ChangeAsync(() => Settings.RemoveMemberAsync(user.Id), $"{user.Email} is no longer a member.");
        }
    }

    /// <summary>What the inviter is told after "Add user", the same for a new and an existing account.</summary>
    public static string AddedMessage(string email) =>
        $"{email} is added: they sign in with the password you chose, or, if they already use the portal, accept the invitation emailed to them.";

    private async Task OnUserAddedAsync(string email)
    {
        adding = false;
        users = await Settings.ListUsersAsync();
        // One message whether or not the email has an account elsewhere (SettingsService.CreateUserAsync).
        Snackbar.Add(AddedMessage(email), MudBlazor.Severity.Success);
    }

    private Task ChangeRoleAsync(UserSummary user, string role) =>
        ChangeAsync(() => Settings.ChangeRoleAsync(user.Id, role), $"{user.Email} is now {role}.");

    private async Task SetDisabledAsync(UserSummary user, bool disabled)
    {
        if (!disabled || await ConfirmAsync("Disable user", $"Disable {user.DisplayName} ({user.Email})? They are signed out and cannot sign in until enabled again.", "Disable", "Keep active"))
        {
            await ChangeAsync(() => Settings.SetDisabledAsync(user.Id, disabled), $"{user.Email} is {(disabled ? "disabled" : "enabled")}.");
        }
    }

    private async Task ChangeAsync(Func<Task> change, string success)
    {
        await RunAsync(change, success);
        // Reload either way: a refused change must show the value that is really stored.
        users = await Settings.ListUsersAsync();
    }
}
