using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// Lists an integration's mappings (searchable, paged by the service) with add, edit, delete and CSV
/// import/export. Everything it changes goes through <see cref="ResourceMappingService"/>.
/// </summary>
public partial class ResourceMappingsPanel
{
    private const int PageSize = 10;
    private MudDataGrid<ResourceMappingSummary>? grid;
    private MappingRules? rules;
    private string search = "";
    private string? loadError;
    private IReadOnlyList<string> withoutCoordinates = [];
    private bool canOperate;

    // The MapExternalId the form was opened for, so a re-render with the same one does not open it again;
    // and the one still to open once the panel has rendered.
    private string? offeredMap;
    private string? pendingMap;

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    /// <summary>An external id to open the Add mapping form with (a run's unmapped id links here with <c>?map=</c>).</summary>
    [Parameter]
    public string? MapExternalId { get; set; }

    private string ExportUrl => $"api/integrations/{IntegrationId}/mappings/export";

    protected override void OnInitialized() => canOperate = CurrentUser.Can(PortalPermission.Operate);

    protected override async Task OnParametersSetAsync()
    {
        // An unknown integration (or one of another organization) says so instead of showing an empty list.
        rules = await LoadAsync<MappingRules?>(async () => await Mappings.GetRulesAsync(IntegrationId), null);
        (loadError, ErrorMessage) = (rules is null ? ErrorMessage : null, null);
        await LoadWithoutCoordinatesAsync();
        if (grid is not null)
        {
            await grid.ReloadServerData();
        }

        if (canOperate && rules is not null && !string.IsNullOrWhiteSpace(MapExternalId) && MapExternalId != offeredMap)
        {
            offeredMap = pendingMap = MapExternalId;
        }
    }

    // The form is opened after rendering: it is awaited until it closes, which must not hold up the parameters.
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (pendingMap is { } externalId)
        {
            pendingMap = null;
            await EditAsync(null, externalId);
        }
    }

    private async Task<GridData<ResourceMappingSummary>> LoadPageAsync(GridState<ResourceMappingSummary> state, CancellationToken ct)
    {
        var page = await LoadAsync(() => Mappings.ListAsync(IntegrationId, search, state.Page * state.PageSize, state.PageSize, ct), new MappingPage([], 0));
        return new GridData<ResourceMappingSummary> { Items = page.Items, TotalItems = page.Total };
    }

    private async Task OnSearchAsync(string text)
    {
        search = text;
        await ReloadAsync();
    }

    private async Task EditAsync(ResourceMappingSummary? mapping, string? externalId = null)
    {
        if (await Dialogs.OpenAsync<MappingFormDialog, bool>(mapping is null ? "Add mapping" : $"Edit {mapping.ExternalId}",
                new DialogParameters<MappingFormDialog>
                {
                    { d => d.IntegrationId, IntegrationId },
                    { d => d.Rules, rules! },
                    { d => d.Mapping, mapping },
                    { d => d.ExternalId, externalId },
                }, ResourceDialogs.Wide) is true)
        {
            await ReloadAsync();
        }
    }

    private async Task DeleteAsync(ResourceMappingSummary mapping)
    {
        if (await ConfirmAsync("Remove mapping",
                $"Remove the mapping of '{mapping.ExternalId}'? Data for it will no longer reach {mapping.Resource?.Name ?? "its resource"}.", "Remove")
            && await RunAsync(() => Mappings.DeleteAsync(IntegrationId, mapping.Id), $"Mapping of '{mapping.ExternalId}' removed."))
        {
            await ReloadAsync();
        }
    }

    private async Task ImportAsync()
    {
        if (await Dialogs.ImportCsvAsync("Import mappings from CSV",
                "Columns: external_id, resource_path (places/{id}, places/{id}/devices/{id} or devices/{id}). A known external id is moved to the row's resource.",
                csv => Mappings.PreviewImportAsync(IntegrationId, csv), csv => Mappings.ImportCsvAsync(IntegrationId, csv)))
        {
            await ReloadAsync();
        }
    }

    // Back to the first page: a change or a new search can leave fewer pages than the one shown.
    // Loaded with the panel, not in the grid's callback: that one re-renders only the grid.
    private async Task LoadWithoutCoordinatesAsync() =>
        withoutCoordinates = rules is { NeedsCoordinates: true }
            ? await LoadAsync(() => Mappings.PlacesWithoutCoordinatesAsync(IntegrationId), withoutCoordinates)
            : [];

    private async Task ReloadAsync()
    {
        await LoadWithoutCoordinatesAsync();
        if (grid is not null)
        {
            grid.NavigateTo(Page.First);
            await grid.ReloadServerData();
        }
    }
}
