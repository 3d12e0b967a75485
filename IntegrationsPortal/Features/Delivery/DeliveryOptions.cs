namespace IntegrationsPortal.Features.Delivery;

/// <summary>Settings under <c>Portal:Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Portal:Delivery";

    /// <summary>Messages the dispatcher claims per round.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Sends in flight at once.</summary>
    public int Concurrency { get; set; } = 64;

    public int HistoryRetentionDays { get; set; } = 30;

    /// <summary>Consecutive failed attempts that, spread over at least <see cref="FailureSpan"/>, put the integration in error.</summary>
    public int FailureThreshold { get; set; } = 20;

    public TimeSpan FailureSpan { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often the dispatcher looks for due messages when nothing nudges it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an MQTT publish waits for the broker's acknowledgement before its outcome is unknown.</summary>
    public TimeSpan MqttPublishTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
