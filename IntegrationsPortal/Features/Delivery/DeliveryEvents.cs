using IntegrationsPortal.Infrastructure.Events;

namespace IntegrationsPortal.Features.Delivery;

public sealed record DeliveryChange(Guid MessageId, Guid IntegrationId, DeliveryStatus Status);

/// <summary>
/// Tells open pages that a message was queued or attempted (a Test send finished, say), so they refresh
/// without a reload, on every node (<see cref="LiveEvents"/>).
/// </summary>
public sealed class DeliveryEvents
{
    private readonly Action<DeliveryChange> _publish;

    public DeliveryEvents(LiveEvents live) => _publish = live.Register<DeliveryChange>("delivery.changed", change => Changed?.Invoke(change));

    public event Action<DeliveryChange>? Changed;

    public void Publish(DeliveryChange change) => _publish(change);
}
