using IntegrationsPortal.Components.Shared;

namespace IntegrationsPortal.Features.Delivery;

public sealed record DeliveryQuery
{
    public Guid? IntegrationId { get; init; }

    public DeliveryStatus? Status { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Skip { get; init; }

    public int Take { get; init; } = 25;
}

public sealed record DeliveryRow(
    Guid Id, Guid IntegrationId, string IntegrationName, string EventType, DeliveryTrigger Trigger, DeliveryStatus Status,
    int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, DateTimeOffset? NextAttemptAt,
    int? LastDurationMs = null) : IGridRow
{
    /// <summary>Failed (or its outcome unknown) and due again later: the dispatcher will try it by itself, or now on request.</summary>
    public bool WaitsForRetry => Status is DeliveryStatus.Failed or DeliveryStatus.Unknown && NextAttemptAt is not null;

    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(DeliveryRow? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

public sealed record DeliveryAttemptView(
    int AttemptNumber, DeliveryTrigger Trigger, DateTimeOffset At, bool Succeeded, string? Url, string? Method,
    string? RequestHeaders, string? RequestBody, int? StatusCode, string? ResponseHeaders, string? ResponseBody,
    int DurationMs, string? ErrorClass, string? ErrorMessage, DateTimeOffset? NextAttemptAt, string? Note);

public sealed record DeliveryDetail(DeliveryRow Message, string Payload, IReadOnlyList<DeliveryAttemptView> Attempts);

/// <summary>The answer to "Send test": accepted at once; the result arrives through the history.</summary>
public sealed record AcceptedDelivery(Guid MessageId);

/// <summary>An integration that stopped delivering, for the admins' banner.</summary>
public sealed record DeliveryAlert(Guid IntegrationId, string IntegrationName, string Reason);

/// <summary>A message for <see cref="DeliveryService.EnqueueOnceAsync"/>: queued once per key, however often it is offered.</summary>
public sealed record KeyedMessage(
    Guid IntegrationId, string EventType, string Payload, string IdempotencyKey, IReadOnlyDictionary<string, string>? Parameters = null);
