using IntegrationsPortal.Features.Settings;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Platform.Pages;

public partial class PlatformPage
{
    private IReadOnlyList<OrganizationOverview>? organizations;
    private OrganizationOverview? renaming;

    /// <summary>The organization whose Admin is being invited (the first, for a new one).</summary>
    private OrganizationOverview? inviting;

    [Inject]
    public required PlatformService Platform { get; init; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync() =>
        organizations = await LoadAsync(() => Platform.ListOrganizationsAsync(), organizations ?? []);

    private Task CreateAsync(OrganizationInput input) => Platform.CreateOrganizationAsync(input);

    private async Task OnRenamedAsync()
    {
        renaming = null;
        await LoadAsync();
    }

    private async Task SuspendAsync(OrganizationOverview organization)
    {
        if (!await ConfirmAsync($"Suspend {organization.Name}?",
                "Its users are signed out and cannot sign in, its API keys stop working, and its integrations stop sending and pulling until you resume it. Nothing is deleted.",
                "Suspend"))
        {
            return;
        }

        // Reload only after a success: the reload would clear the refusal's message.
        if (await RunAsync(() => Platform.SuspendOrganizationAsync(organization.Id), $"{organization.Name} is suspended."))
        {
            await LoadAsync();
        }
    }

    private async Task ResumeAsync(OrganizationOverview organization)
    {
        if (await RunAsync(() => Platform.ResumeOrganizationAsync(organization.Id), $"{organization.Name} is active again."))
        {
            await LoadAsync();
        }
    }
}
