namespace IntegrationsPortal.Features.Delivery;

/// <summary>Settings under <c>Portal:Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Portal:Delivery";

    /// <summary>Messages the dispatcher reads at a time, and results it writes in one transaction at most.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Sends in flight at once.</summary>
    public int Concurrency { get; set; } = 64;

    /// <summary>
    /// Sends in flight at once to one integration: a slow or hanging receiver holds at most this many of
    /// <see cref="Concurrency"/>, the others keep going. An ordered lane has one in flight regardless.
    /// </summary>
    public int MaxInFlightPerIntegration { get; set; } = 16;

    /// <summary>How long an API <c>Idempotency-Key</c> returns the message it first queued instead of queueing another.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    public int HistoryRetentionDays { get; set; } = 30;

    /// <summary>Consecutive failed attempts that, spread over at least <see cref="FailureSpan"/>, put the integration in error.</summary>
    public int FailureThreshold { get; set; } = 20;

    public TimeSpan FailureSpan { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often the dispatcher looks for due messages when nothing nudges it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// On PostgreSQL, how long a node's claim on the messages it took lasts without renewal (renewed every third
    /// of it while its run lives): after a node dies, its messages wait this long before another node sends them.
    /// Well above a send's timeout, so a live node's slow send is never taken from it.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an MQTT publish waits for the broker's acknowledgement before its outcome is unknown.</summary>
    public TimeSpan MqttPublishTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
