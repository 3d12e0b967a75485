using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Components;
using Radzen;
using Radzen.Blazor;

namespace IntegrationsPortal.Features.Delivery.Components;

/// <summary>
/// The delivery history, paged on the server: across integrations (the Delivery history page) or
/// for one (the History tab). A row opens the full request and response.
/// </summary>
public partial class DeliveryHistoryGrid : IDisposable
{
    private static readonly DeliveryStatus?[] statuses = Enum.GetValues<DeliveryStatus>().Select(s => (DeliveryStatus?)s).ToArray();

    private RadzenDataGrid<DeliveryRow> grid = default!;
    // Null until the first load: Radzen calls LoadData on first render only when Data is null.
    private IReadOnlyList<DeliveryRow>? rows;
    private IReadOnlyList<IntegrationRow> integrations = [];
    private int total;
    private bool loading;
    private string? message;
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
    public required DialogService Dialogs { get; init; }

    [Inject]
    public required ILogger<DeliveryHistoryGrid> Logger { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    protected override async Task OnInitializedAsync()
    {
        // An event can come before the first render has created the grid. Throttled: the dispatcher
        // reports every message of a batch (up to 500), and each reload is a query.
        live = new LiveRefresh(InvokeAsync, StateHasChanged, () => grid?.Reload() ?? Task.CompletedTask, Logger, TimeSpan.FromMilliseconds(500), Time)
            .Follow<DeliveryChange>(h => Events.Changed += h, h => Events.Changed -= h,
                change => IntegrationId is null || change.IntegrationId == IntegrationId);
        if (IntegrationId is null)
        {
            integrations = (await Integrations.ListAsync(new IntegrationQuery { Direction = Catalog.IntegrationDirection.Egress, Take = 200 })).Items;
        }
    }

    private async Task LoadAsync(LoadDataArgs args)
    {
        loading = true;
        var result = await Deliveries.ListAsync(new DeliveryQuery
        {
            IntegrationId = IntegrationId ?? integrationFilter,
            Status = status,
            From = Utc(from),
            To = Utc(to),
            Skip = args.Skip ?? 0,
            Take = args.Top ?? 25,
        });
        rows = result.Items;
        total = result.Total;
        loading = false;
    }

    private Task ReloadAsync() => grid.FirstPage(forceReload: true);

    private async Task OpenAsync(DeliveryRow row)
    {
        var detail = await Deliveries.GetAsync(row.Id);
        await Dialogs.OpenAsync<DeliveryMessageDialog>($"Message {row.Id}",
            new Dictionary<string, object?> { [nameof(DeliveryMessageDialog.Detail)] = detail },
            new DialogOptions { Width = "900px", CloseDialogOnOverlayClick = true });
    }

    private async Task ResendAsync(DeliveryRow row)
    {
        try
        {
            await Deliveries.ResendAsync(row.Id);
            message = "Resent; the result appears here when the attempt finishes.";
        }
        catch (PortalException e)
        {
            message = e.Message;
        }

        await grid.Reload();
    }

    private async Task RecoverAsync()
    {
        try
        {
            var count = await Deliveries.RecoverFailedAsync(Utc(recoverSince)!.Value, IntegrationId ?? integrationFilter);
            message = count == 0 ? "No failed messages in that range." : $"Resending {count} failed message(s).";
        }
        catch (PortalException e)
        {
            message = e.Message;
        }

        await grid.Reload();
    }

    // The pickers show UTC, as the grid does.
    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    public void Dispose() => live?.Dispose();
}
