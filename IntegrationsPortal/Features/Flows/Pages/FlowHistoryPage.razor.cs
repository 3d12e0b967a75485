using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Flows.Pages;

/// <summary>
/// Flow runs, paged and filtered in the database (FlowService.HistoryAsync), newest first, reloaded
/// as runs are recorded; a run opens below the grid with its steps and their deliveries.
/// </summary>
public partial class FlowHistoryPage : IDisposable
{
    private static readonly TimeSpan RefreshThrottle = TimeSpan.FromSeconds(1);
    private MudDataGrid<FlowRunRow>? grid;
    private IReadOnlyList<FlowSummary> flows = [];
    private Guid? flowFilter;
    private FlowRunStatus? status;
    private DateTime? from;
    private DateTime? to;
    private Guid? selected;
    private LiveRefresh? live;

    /// <summary>From /flows/{id}/history: starts filtered to that flow.</summary>
    [Parameter]
    public Guid? FlowId { get; set; }

    [Inject]
    public required FlowService Flows { get; init; }

    [Inject]
    public required FlowEvents Events { get; init; }

    [Inject]
    public required ILogger<FlowHistoryPage> Logger { get; init; }

    protected override async Task OnInitializedAsync()
    {
        flowFilter = FlowId;
        live = new LiveRefresh(InvokeAsync, StateHasChanged, () => grid?.ReloadServerData() ?? Task.CompletedTask, Logger, RefreshThrottle)
            .Follow<Guid>(h => Events.RunsRecorded += h, h => Events.RunsRecorded -= h, id => flowFilter is null || id == flowFilter);
        flows = await LoadAsync(() => Flows.ListAsync(), flows);
    }

    private async Task<GridData<FlowRunRow>> LoadPageAsync(GridState<FlowRunRow> state, CancellationToken ct)
    {
        var page = await LoadAsync<PagedResult<FlowRunRow>?>(async () => await Flows.HistoryAsync(new FlowHistoryQuery
        {
            FlowId = flowFilter,
            Status = status,
            From = from is { } f ? new DateTimeOffset(DateTime.SpecifyKind(f, DateTimeKind.Utc)) : null,
            To = to is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null,
            Skip = state.Page * state.PageSize,
            Take = state.PageSize,
        }, ct), null);
        return new GridData<FlowRunRow> { Items = page?.Items ?? [], TotalItems = page?.Total ?? 0 };
    }

    private string FlowName(Guid? id) => id is null ? "" : flows.FirstOrDefault(f => f.Id == id)?.Name ?? "(deleted)";

    private void Open(FlowRunRow run) => selected = run.Id;

    /// <summary>A filter changed: back to the first page of the new result.</summary>
    private async Task FilterAsync(Action change)
    {
        change();
        selected = null;
        if (grid is null)
        {
            return;
        }

        if (grid.CurrentPage != 0)
        {
            grid.NavigateTo(Page.First);
        }

        await grid.ReloadServerData();
    }

    public void Dispose() => live?.Dispose();
}
