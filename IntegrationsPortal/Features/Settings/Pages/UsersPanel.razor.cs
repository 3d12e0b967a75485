using Microsoft.AspNetCore.Components;
using Radzen;

namespace IntegrationsPortal.Features.Settings.Pages;

public partial class UsersPanel
{
    private IReadOnlyList<UserSummary>? users;
    private bool adding;
    private string? message;

    [Inject]
    public required SettingsService Settings { get; init; }

    [Inject]
    public required NotificationService Notifications { get; init; }

    protected override async Task OnInitializedAsync() => users = await Settings.ListUsersAsync();

    private async Task OnUserAddedAsync(string email)
    {
        adding = false;
        users = await Settings.ListUsersAsync();
        Notifications.Notify(NotificationSeverity.Success, "User added", $"{email} can sign in now.");
    }

    private Task ChangeRoleAsync(UserSummary user, string role) =>
        RunAsync(() => Settings.ChangeRoleAsync(user.Id, role), $"{user.Email} is now {role}.");

    private Task SetDisabledAsync(UserSummary user, bool disabled) =>
        RunAsync(() => Settings.SetDisabledAsync(user.Id, disabled), $"{user.Email} is {(disabled ? "disabled" : "enabled")}.");

    private async Task RunAsync(Func<Task> change, string success)
    {
        try
        {
            await change();
            message = null;
            Notifications.Notify(NotificationSeverity.Success, "Saved", success);
        }
        catch (PortalException e)
        {
            message = e.Message;
        }

        // Reload either way: a refused change must show the value that is really stored.
        users = await Settings.ListUsersAsync();
    }
}
