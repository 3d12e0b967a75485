using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Components;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Flows.Components;

/// <summary>
/// One flow run: its input, each function's output, logs or error, and each destination's message
/// with its delivery status; a delivery opens the delivery history's own request-and-response dialog.
/// Reloads while the run's deliveries are still being attempted.
/// </summary>
public partial class FlowRunDetailView : IDisposable
{
    private FlowRunDetail? detail;
    private LiveRefresh? live;

    [Parameter, EditorRequired]
    public Guid RunId { get; set; }

    [Inject]
    public required FlowService Flows { get; init; }

    [Inject]
    public required DeliveryService Deliveries { get; init; }

    [Inject]
    public required DeliveryEvents DeliveryEvents { get; init; }

    [Inject]
    public required ILogger<FlowRunDetailView> Logger { get; init; }

    protected override async Task OnInitializedAsync()
    {
        live = new LiveRefresh(InvokeAsync, StateHasChanged, LoadAsync, Logger, TimeSpan.FromMilliseconds(500))
            .Follow<DeliveryChange>(h => DeliveryEvents.Changed += h, h => DeliveryEvents.Changed -= h,
                change => detail?.Steps.Any(s => s.OutboxMessageId == change.MessageId) == true);
        await LoadAsync();
    }

    private async Task LoadAsync() => detail = await LoadAsync<FlowRunDetail?>(async () => await Flows.GetRunAsync(RunId), detail);

    private async Task OpenDeliveryAsync(Guid messageId)
    {
        var message = await LoadAsync<DeliveryDetail?>(async () => await Deliveries.GetAsync(messageId), null);
        if (message is not null)
        {
            await DeliveryMessageDialog.ShowAsync(Dialogs, message);
        }
    }

    public void Dispose() => live?.Dispose();
}
