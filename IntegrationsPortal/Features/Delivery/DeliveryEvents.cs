namespace IntegrationsPortal.Features.Delivery;

public sealed record DeliveryChange(Guid MessageId, Guid IntegrationId, DeliveryStatus Status);

/// <summary>Tells open pages that a message was attempted (a Test send finished, say), so they refresh without a reload.</summary>
public sealed class DeliveryEvents
{
    public event Action<DeliveryChange>? Changed;

    public void Publish(DeliveryChange change) => Changed?.Invoke(change);
}
