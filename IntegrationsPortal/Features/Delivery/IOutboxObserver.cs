namespace IntegrationsPortal.Features.Delivery;

/// <summary>A message whose delivery is over: delivered, or failed for good (dead, or a single try that failed).</summary>
public sealed record EndedMessage(OutboxMessage Message, DeliveryOutcome Outcome)
{
    public bool Delivered => Message.Status == DeliveryStatus.Delivered;

    /// <summary>Whether the message's state after an attempt means nothing more will be tried by itself.</summary>
    public static bool HasEnded(OutboxMessage message) =>
        message.Status is DeliveryStatus.Delivered or DeliveryStatus.Dead
        || (message.Status is DeliveryStatus.Failed or DeliveryStatus.Unknown && message.NextAttemptAt is null);
}

/// <summary>
/// Told by the dispatcher, after the results are written, which messages ended: a producer that must
/// act on the end of its messages (operations re-route to another provider) listens here instead of
/// the dispatcher knowing about it.
/// </summary>
public interface IOutboxObserver
{
    Task MessagesEndedAsync(IReadOnlyList<EndedMessage> ended, CancellationToken ct);
}
