using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Radzen;

namespace IntegrationsPortal.Features.Settings.Pages;

public partial class OrganizationPanel
{
    private OrganizationSummary? organization;
    private readonly OrganizationInput input = new();
    private EditContext editContext = default!;
    private ServiceErrors errors = default!;
    private string? message;

    [Inject]
    public required NotificationService Notifications { get; init; }

    protected override async Task OnInitializedAsync()
    {
        editContext = new EditContext(input);
        errors = new ServiceErrors(editContext);
        organization = await Settings.GetOrganizationAsync();
        input.Name = organization.Name;
    }

    private async Task SetCustomAsync(bool enabled)
    {
        await Settings.SetCustomIntegrationsAsync(enabled);
        organization = await Settings.GetOrganizationAsync();
    }

    private async Task RenameAsync()
    {
        try
        {
            await Settings.RenameOrganizationAsync(input);
            organization = await Settings.GetOrganizationAsync();
            message = null;
            Notifications.Notify(NotificationSeverity.Success, "Saved", "The organization was renamed.");
        }
        catch (PortalException e)
        {
            message = errors.Show(e);
        }
    }
}
