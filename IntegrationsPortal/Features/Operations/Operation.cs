using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Operations;

public enum OperationStatus
{
    /// <summary>Routed and in the outbox (or being re-routed after its provider failed for good).</summary>
    Queued,
    Succeeded,
    Failed,
}

/// <summary>
/// A program's request for a capability ("send this SMS", "take this payment"), routed by the rules
/// to one integration and delivered through the outbox. Each route is a "hop": its outbox message is
/// keyed <c>operation:{id}:{hop}</c>, so a re-route that runs twice queues one message.
/// </summary>
public sealed class Operation : ITenantOwned, IHasTimestamps
{
    /// <summary>A 26-character ULID, the id /api/v1 publishes.</summary>
    public string Id { get; set; } = Ulid.NewUlid().ToString();

    public Guid OrganizationId { get; set; }

    public required string Capability { get; set; }

    public required string Payload { get; set; }

    public OperationStatus Status { get; set; }

    /// <summary>The integration of the current (or last) hop; null when nothing could take it.</summary>
    public Guid? IntegrationId { get; set; }

    public string? RuleId { get; set; }

    /// <summary>The current integration is not the first choice: the rule's fallback, or a re-route after a failure.</summary>
    public bool FallbackUsed { get; set; }

    public int Hop { get; set; }

    /// <summary>Integrations this operation failed on for good (Guids as text): the router never picks them again for it.</summary>
    public List<string> Excluded { get; set; } = [];

    /// <summary>Delivery attempts of the finished hops.</summary>
    public int Attempts { get; set; }

    public string? ErrorCode { get; set; }

    public string? Error { get; set; }

    /// <summary>The provider's id for what it created (a Stripe PaymentIntent's pi_...).</summary>
    public string? Reference { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// Set when a flow's capability destination started the operation (decision 039): the flow's message key
    /// <c>flow/{run}/{node}/{index}</c>. Its <see cref="Payload"/> is then the message that reached the node,
    /// rendered for each hop's integration type with <see cref="DestinationParameters"/>.
    /// </summary>
    public string? FlowKey { get; set; }

    /// <summary>A flow destination's parameters (topic, path suffix, ...), for every type offering the capability; empty otherwise.</summary>
    public Dictionary<string, string> DestinationParameters { get; set; } = [];

    public const string KeyPrefix = "operation:";

    /// <summary>The outbox idempotency key of hop <paramref name="hop"/>.</summary>
    public static string MessageKey(string id, int hop) => $"{KeyPrefix}{id}:{hop}";

    /// <summary>The operation and hop an outbox key belongs to, or null for a message that is not an operation's.</summary>
    public static (string Id, int Hop)? FromMessageKey(string? key)
    {
        if (key is null || !key.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = key[KeyPrefix.Length..].Split(':');
        return parts.Length == 2 && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var hop) ? (parts[0], hop) : null;
    }
}

public sealed class OperationConfiguration : IEntityTypeConfiguration<Operation>
{
    public void Configure(EntityTypeBuilder<Operation> builder)
    {
        builder.Property(o => o.Id).HasMaxLength(26);
        builder.Property(o => o.Capability).HasMaxLength(64);
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(o => o.RuleId).HasMaxLength(26);
        builder.Property(o => o.Excluded).HasJsonList();
        builder.Property(o => o.ErrorCode).HasMaxLength(64);
        builder.Property(o => o.Error).HasMaxLength(Limits.ErrorMessage);
        builder.Property(o => o.Reference).HasMaxLength(255);
        builder.Property(o => o.FlowKey).HasMaxLength(200);
        builder.Property(o => o.DestinationParameters).HasJsonMap();
        builder.HasIndex(o => new { o.OrganizationId, o.CreatedAt });
    }
}
