using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Catalog;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Integrations.Pages;

/// <summary>
/// Every integration of the organization, a page at a time: paging, sorting and the filters all run
/// in the database (IntegrationService.ListAsync), so 10,000 rows cost what 25 do.
/// </summary>
public partial class IntegrationsPage : IDisposable
{
    private static readonly int[] pageSizes = [25, 50, 100];
    private static readonly IntegrationDirection?[] directions = [IntegrationDirection.Ingress, IntegrationDirection.Egress];
    private static readonly IntegrationStatus?[] statuses = Enum.GetValues<IntegrationStatus>().Select(s => (IntegrationStatus?)s).ToArray();
    private static readonly IReadOnlyList<IntegrationType> types = CatalogData.Types.OrderBy(t => t.DisplayName).ToList();
    private static readonly IReadOnlyList<string> categories = CatalogData.Types.Select(t => t.Category).Distinct().Order().ToList();

    private MudDataGrid<IntegrationRow> grid = default!;
    private IReadOnlyList<IntegrationRow> shown = [];
    private string? search;
    private IntegrationDirection? direction;
    private string? typeKey;
    private IntegrationStatus? status;
    private string? category;
    private LiveRefresh? live;
    private bool sortChanged;

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required IntegrationQueries Queries { get; init; }

    [Inject]
    public required IntegrationEvents Events { get; init; }

    [Inject]
    public required ILogger<IntegrationsPage> Logger { get; init; }

    // Only changes to a row on this page matter (a verification finishing, say).
    protected override void OnInitialized() =>
        live = new LiveRefresh(InvokeAsync, StateHasChanged, () => grid.ReloadServerData(), Logger)
            .Follow<Guid>(h => Events.Changed += h, h => Events.Changed -= h, id => shown.Any(r => r.Id == id));

    private async Task<GridData<IntegrationRow>> LoadPageAsync(GridState<IntegrationRow> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var query = new IntegrationQuery
        {
            Search = search,
            Direction = direction,
            TypeKey = typeKey,
            Status = status,
            Category = category,
            SortBy = sort?.SortBy switch
            {
                nameof(IntegrationRow.Name) => IntegrationSort.Name,
                nameof(IntegrationRow.TypeKey) => IntegrationSort.Type,
                nameof(IntegrationRow.Status) => IntegrationSort.Status,
                nameof(IntegrationRow.UpdatedAt) => IntegrationSort.UpdatedAt,
                _ => IntegrationSort.CreatedAt,
            },
            Descending = sort is null || sort.Descending,
            // A new order starts from its first row: page 2 of another order means nothing.
            Skip = (sortChanged ? 0 : state.Page) * state.PageSize,
            Take = state.PageSize,
        };

        // A refusal leaves an empty page and its message; the grid ends its loading state either way.
        sortChanged = false;
        var page = await LoadAsync<PagedResult<IntegrationRow>?>(async () => await Queries.ListAsync(query), null);
        shown = page?.Items ?? [];
        return new GridData<IntegrationRow> { Items = shown, TotalItems = page?.Total ?? 0 };
    }

    /// <summary>The grid reloads its current page for a new sort; the pager goes back to page 1 with it.</summary>
    private void BackToFirstPage()
    {
        sortChanged = true;
        if (grid.CurrentPage != 0)
        {
            grid.NavigateTo(MudBlazor.Page.First);
        }
    }

    private string TypeName(string? key) => key is null ? "" : types.FirstOrDefault(t => t.Key == key)?.DisplayName ?? key;

    private Task OnSearchAsync(string? text) => FilterAsync(() => search = text);

    /// <summary>A filter changed: back to the first page of the new result.</summary>
    private async Task FilterAsync(Action change)
    {
        change();
        if (grid.CurrentPage == 0)
        {
            await grid.ReloadServerData();
        }
        else
        {
            // Changing the page loads it.
            grid.NavigateTo(MudBlazor.Page.First);
        }
    }

    private async Task ActivateAsync(IntegrationRow row)
    {
        await RunAsync(() => Integrations.ActivateAsync(row.Id), $"'{row.Name}' is active again.");
        await grid.ReloadServerData();
    }

    private async Task DisableAsync(IntegrationRow row)
    {
        if (await ConfirmAsync("Disable integration", $"Disable '{row.Name}'? It stops sending and pulling until someone activates it again.", "Disable", "Keep it running"))
        {
            await RunAsync(() => Integrations.DisableAsync(row.Id), $"'{row.Name}' is disabled.");
            await grid.ReloadServerData();
        }
    }

    private async Task DeleteAsync(IntegrationRow row)
    {
        if (await ConfirmAsync("Delete integration", $"Delete '{row.Name}'? It stops at once and disappears from the list; its history is kept for audit.", "Delete", "Keep it"))
        {
            await RunAsync(() => Integrations.DeleteAsync(row.Id), $"'{row.Name}' is deleted.");
            await grid.ReloadServerData();
        }
    }

    public void Dispose() => live?.Dispose();
}
