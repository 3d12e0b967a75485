using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Delivery.Components;

/// <summary>
/// The delivery history, paged on the server: across integrations (the Delivery history page) or
/// for one (the History tab). A row opens the full request and response.
/// </summary>
public partial class DeliveryHistoryGrid : IDisposable
{
    private MudDataGrid<DeliveryRow>? grid;
    private IReadOnlyList<IntegrationRow> integrations = [];
    private Guid? integrationFilter;
    private DeliveryStatus? status;
    private DateTime? from;
    private DateTime? to;
    private DateTime? recoverSince;
    private LiveRefresh? live;

    /// <summary>Shows one integration's history; null shows all.</summary>
    [Parameter]
    public Guid? IntegrationId { get; set; }

    [Inject]
    public required DeliveryService Deliveries { get; init; }

    [Inject]
    public required IntegrationQueries Integrations { get; init; }

    [Inject]
    public required DeliveryEvents Events { get; init; }

    [Inject]
    public required ILogger<DeliveryHistoryGrid> Logger { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    protected override async Task OnInitializedAsync()
    {
        // An event can come before the first render has created the grid. Throttled: the dispatcher
        // reports every message of a batch (up to 500), and each reload is a query.
        live = new LiveRefresh(InvokeAsync, StateHasChanged, () => grid?.ReloadServerData() ?? Task.CompletedTask, Logger, TimeSpan.FromMilliseconds(500), Time)
            .Follow<DeliveryChange>(h => Events.Changed += h, h => Events.Changed -= h,
                change => IntegrationId is null || change.IntegrationId == IntegrationId);
        if (IntegrationId is null)
        {
            integrations = await LoadAsync(async () =>
                (await Integrations.ListAsync(new IntegrationQuery { Direction = Catalog.IntegrationDirection.Egress, Take = 200 })).Items, []);
        }
    }

    private async Task<GridData<DeliveryRow>> LoadPageAsync(GridState<DeliveryRow> state, CancellationToken ct)
    {
        var page = await Deliveries.ListAsync(new DeliveryQuery
        {
            IntegrationId = IntegrationId ?? integrationFilter,
            Status = status,
            From = Utc(from),
            To = Utc(to),
            Skip = state.Page * state.PageSize,
            Take = state.PageSize,
        }, ct);
        return new GridData<DeliveryRow> { Items = page.Items, TotalItems = page.Total };
    }

    private string IntegrationName(Guid? id) => integrations.FirstOrDefault(i => i.Id == id)?.Name ?? "";

    /// <summary>Applies a filter and shows the first page of what it leaves.</summary>
    private async Task FilterAsync(Action apply)
    {
        apply();
        if (grid is not null)
        {
            grid.NavigateTo(Page.First);
            await grid.ReloadServerData();
        }
    }

    private async Task OpenAsync(DeliveryRow row)
    {
        var detail = await LoadAsync<DeliveryDetail?>(async () => await Deliveries.GetAsync(row.Id), null);
        if (detail is not null)
        {
            await DeliveryMessageDialog.ShowAsync(Dialogs, detail);
        }
    }

    private async Task RetryNowAsync(DeliveryRow row)
    {
        await RunAsync(() => Deliveries.RetryNowAsync(row.Id), "Retrying now; the result appears here when the attempt finishes.");
        await ReloadAsync();
    }

    private async Task ResendAsync(DeliveryRow row)
    {
        // The receiver may have it already (no acknowledgement came): a resend can make a second copy.
        if (row.Status == DeliveryStatus.Unknown
            && !await ConfirmAsync("Resend message", "This message's outcome is unknown: the receiver may already have it, "
                + "and a resend may deliver it twice. Resend anyway?", "Resend", "Keep waiting"))
        {
            return;
        }

        await RunAsync(() => Deliveries.ResendAsync(row.Id), "Resent; the result appears here when the attempt finishes.");
        await ReloadAsync();
    }

    private async Task RecoverAsync()
    {
        var count = 0;
        if (await RunAsync(async () => count = await Deliveries.RecoverFailedAsync(Utc(recoverSince)!.Value, IntegrationId ?? integrationFilter)))
        {
            Snackbar.Add(count == 0 ? "No failed messages in that range." : $"Resending {count} failed message(s).", count == 0 ? Severity.Info : Severity.Success);
        }

        await ReloadAsync();
    }

    private Task ReloadAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;

    // The pickers show UTC, as the grid does.
    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    public void Dispose() => live?.Dispose();
}
