using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace IntegrationsPortal.Features.Settings.Pages;

public partial class OrganizationPanel
{
    private OrganizationSummary? organization;
    private readonly OrganizationInput input = new();
    private EditContext editContext = default!;
    private ServiceErrors errors = default!;

    [Inject]
    public required SettingsService Settings { get; init; }

    protected override async Task OnInitializedAsync()
    {
        editContext = new EditContext(input);
        errors = new ServiceErrors(editContext);
        organization = await Settings.GetOrganizationAsync();
        input.Name = organization.Name;
    }

    private async Task SetCustomAsync(bool enabled)
    {
        await RunAsync(() => Settings.SetCustomIntegrationsAsync(enabled),
            enabled ? "Custom integrations are listed in the catalog." : "Custom integrations are no longer listed.");
        organization = await Settings.GetOrganizationAsync();
    }

    private async Task SetRequireTwoFactorAsync(bool required)
    {
        await RunAsync(() => Settings.SetRequireTwoFactorAsync(required),
            required ? "Users without two-factor sign-in must set it up before anything else." : "Two-factor sign-in is no longer required.");
        organization = await Settings.GetOrganizationAsync();
    }

    private async Task RenameAsync()
    {
        if (await RunAsync(() => Settings.RenameOrganizationAsync(input), "The organization was renamed.", errors.Show))
        {
            organization = await Settings.GetOrganizationAsync();
        }
    }
}
