using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Catalog;
using Microsoft.AspNetCore.Components;
using Radzen;
using Radzen.Blazor;

namespace IntegrationsPortal.Features.Integrations.Pages;

public partial class IntegrationsPage : IDisposable
{
    private static readonly IntegrationDirection?[] directions = [IntegrationDirection.Ingress, IntegrationDirection.Egress];
    private static readonly IntegrationStatus?[] statuses = Enum.GetValues<IntegrationStatus>().Select(s => (IntegrationStatus?)s).ToArray();
    private static readonly IReadOnlyList<IntegrationType> types = CatalogData.Types.OrderBy(t => t.DisplayName).ToList();
    private static readonly IReadOnlyList<string> categories = CatalogData.Types.Select(t => t.Category).Distinct().Order().ToList();

    private RadzenDataGrid<IntegrationRow> grid = default!;
    // Null until the first load: Radzen calls LoadData on first render only when Data is null.
    private IReadOnlyList<IntegrationRow>? rows;
    private int total;
    private bool loading;
    private string? message;
    private string? search;
    private IntegrationDirection? direction;
    private string? typeKey;
    private IntegrationStatus? status;
    private string? category;
    private CancellationTokenSource? searchDebounce;
    private LiveRefresh? live;

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required IntegrationQueries Queries { get; init; }

    [Inject]
    public required IntegrationEvents Events { get; init; }

    [Inject]
    public required DialogService Dialogs { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILogger<IntegrationsPage> Logger { get; init; }

    // Only changes to a row on this page matter (a verification finishing, say).
    protected override void OnInitialized() =>
        live = new LiveRefresh(InvokeAsync, StateHasChanged, () => grid.Reload(), Logger)
            .Follow<Guid>(h => Events.Changed += h, h => Events.Changed -= h, id => rows?.Any(r => r.Id == id) == true);

    private async Task LoadAsync(LoadDataArgs args)
    {
        loading = true;
        var sort = args.Sorts?.FirstOrDefault(s => s.SortOrder is not null);
        var result = await Queries.ListAsync(new IntegrationQuery
        {
            Search = search,
            Direction = direction,
            TypeKey = typeKey,
            Status = status,
            Category = category,
            SortBy = sort?.Property switch
            {
                nameof(IntegrationRow.Name) => IntegrationSort.Name,
                nameof(IntegrationRow.TypeKey) => IntegrationSort.Type,
                nameof(IntegrationRow.Status) => IntegrationSort.Status,
                nameof(IntegrationRow.UpdatedAt) => IntegrationSort.UpdatedAt,
                _ => IntegrationSort.CreatedAt,
            },
            Descending = sort is null || sort.SortOrder == SortOrder.Descending,
            Skip = args.Skip ?? 0,
            Take = args.Top ?? 25,
        });
        rows = result.Items;
        total = result.Total;
        loading = false;
    }

    private Task ReloadAsync() => grid.FirstPage(forceReload: true);

    private async Task OnSearchAsync(string? text)
    {
        // Wait for a pause in typing instead of querying on every key.
        search = text;
        searchDebounce?.Cancel();
        searchDebounce = new CancellationTokenSource();
        try
        {
            await Task.Delay(250, searchDebounce.Token);
            await ReloadAsync();
        }
        catch (TaskCanceledException)
        {
        }
    }

    private void Open(IntegrationRow row) => Navigation.NavigateTo($"/integrations/{row.Id}");

    private async Task DeleteAsync(IntegrationRow row)
    {
        if (await Dialogs.Confirm($"Delete '{row.Name}'? It stops at once and disappears from the list; its history is kept for audit.",
                "Delete integration", new ConfirmOptions { OkButtonText = "Delete", CancelButtonText = "Keep it" }) == true)
        {
            await RunAsync(() => Integrations.DeleteAsync(row.Id));
        }
    }

    private async Task RunAsync(Func<Task> action)
    {
        try
        {
            await action();
            message = null;
        }
        catch (PortalException e)
        {
            message = e.Message;
        }

        await grid.Reload();
    }

    public void Dispose()
    {
        live?.Dispose();
        searchDebounce?.Cancel();
        searchDebounce?.Dispose();
    }
}
