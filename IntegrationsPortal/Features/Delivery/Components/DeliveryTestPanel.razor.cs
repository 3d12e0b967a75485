using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Delivery.Components;

/// <summary>
/// The Test tab: edits a sample payload, sends it, and follows <see cref="DeliveryEvents"/> so
/// the result replaces "pending" without a reload.
/// </summary>
public partial class DeliveryTestPanel : IDisposable
{
    private string payload = "";
    private Guid? messageId;
    private DeliveryDetail? result;
    private LiveRefresh? live;

    [Parameter, EditorRequired]
    public required IntegrationDetail Integration { get; set; }

    [Inject]
    public required DeliveryService Deliveries { get; init; }

    [Inject]
    public required DeliveryEvents Events { get; init; }

    [Inject]
    public required ILogger<DeliveryTestPanel> Logger { get; init; }

    protected override void OnInitialized()
    {
        Reset();
        live = new LiveRefresh(InvokeAsync, StateHasChanged, RefreshAsync, Logger)
            .Follow<DeliveryChange>(h => Events.Changed += h, h => Events.Changed -= h, change => change.MessageId == messageId);
    }

    private void Reset() => payload = Deliveries.SamplePayload(Integration.Type.Key);

    private async Task SendAsync()
    {
        result = null;
        messageId = null;
        if (await RunAsync(async () => messageId = (await Deliveries.SendTestAsync(Integration.Id, payload)).MessageId))
        {
            await RefreshAsync();
        }
    }

    private async Task RefreshAsync()
    {
        if (messageId is { } id)
        {
            result = await Deliveries.GetAsync(id);
        }
    }

    public void Dispose() => live?.Dispose();
}
