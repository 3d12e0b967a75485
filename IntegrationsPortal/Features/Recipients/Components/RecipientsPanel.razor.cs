using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Recipients.Components;

/// <summary>Lists the recipient numbers with their state; reloads when the integration changes or a row acts.</summary>
public partial class RecipientsPanel
{
    private IReadOnlyList<RecipientStatus>? recipients;
    private bool canOperate;

    [Parameter, EditorRequired]
    public required IntegrationDetail Detail { get; set; }

    [Inject]
    public required RecipientService Recipients { get; init; }

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    protected override void OnInitialized() => canOperate = CurrentUser.Can(PortalPermission.Operate);

    // A new Detail arrives after the settings are saved, so an edited list shows at once.
    protected override Task OnParametersSetAsync() => ReloadAsync();

    private async Task ReloadAsync() => recipients = await LoadAsync<IReadOnlyList<RecipientStatus>?>(async () => await Recipients.ListAsync(Detail.Id), recipients);
}
