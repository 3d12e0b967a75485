using Microsoft.AspNetCore.Components;
using Radzen;
using Radzen.Blazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// Lists an integration's mappings (searchable, paged by the service) with add, edit, delete and CSV
/// import/export. Everything it changes goes through <see cref="ResourceMappingService"/>.
/// </summary>
public partial class ResourceMappingsPanel
{
    private const int PageSize = 10;
    private RadzenDataGrid<ResourceMappingSummary>? grid;
    private MappingRules? rules;
    private MappingPage? page;
    private string search = "";
    private string? loadError;
    private string? message;
    private bool loading;

    private string ExportUrl => $"api/integrations/{IntegrationId}/mappings/export";

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            rules = await Mappings.GetRulesAsync(IntegrationId);
            page = await Mappings.ListAsync(IntegrationId, search, 0, PageSize);
            loadError = null;
        }
        catch (PortalException e)
        {
            loadError = e.Message;
        }
    }

    private async Task LoadAsync(LoadDataArgs args)
    {
        loading = true;
        page = await Mappings.ListAsync(IntegrationId, search, args.Skip ?? 0, args.Top ?? PageSize);
        loading = false;
    }

    private async Task EditAsync(ResourceMappingSummary? mapping)
    {
        var saved = await Dialogs.OpenAsync<MappingFormDialog>(mapping is null ? "Add mapping" : $"Edit {mapping.ExternalId}",
            new Dictionary<string, object?>
            {
                [nameof(MappingFormDialog.IntegrationId)] = IntegrationId,
                [nameof(MappingFormDialog.Rules)] = rules,
                [nameof(MappingFormDialog.Mapping)] = mapping,
            }, new DialogOptions { Width = "640px" });
        if (saved is true)
        {
            await ReloadAsync();
        }
    }

    private async Task DeleteAsync(ResourceMappingSummary mapping)
    {
        if (!await Dialogs.ConfirmRemovalAsync(
                $"Remove the mapping of '{mapping.ExternalId}'? Data for it will no longer reach {mapping.Resource?.Name ?? "its resource"}.", "Remove mapping", "Remove"))
        {
            return;
        }

        try
        {
            await Mappings.DeleteAsync(IntegrationId, mapping.Id);
            await ReloadAsync();
        }
        catch (PortalException e)
        {
            message = e.Message;
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

    private async Task ReloadAsync()
    {
        message = null;
        page = await Mappings.ListAsync(IntegrationId, search, 0, PageSize);
        if (grid is not null)
        {
            await grid.FirstPage();
        }
    }
}
