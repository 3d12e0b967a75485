using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Delivery;

public enum DeliveryTrigger
{
    Automatic,
    ManualResend,
    TestSend,
}

public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
    Dead,

    /// <summary>
    /// Sent, but no acknowledgement came (an MQTT QoS 1/2 publish with no PUBACK in time): the receiver
    /// may have it. Retried like a failure, marked as a possible duplicate; never shown as failed.
    /// </summary>
    Unknown,
}

/// <summary>
/// One message to deliver, written before anything is sent (the outbox), so a crash between
/// accepting and sending loses nothing. <see cref="Id"/> goes to the receiver as <c>webhook-id</c>
/// so a message re-sent after a crash mid-send can be recognised as a duplicate.
/// </summary>
public sealed class OutboxMessage : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    public required string EventType { get; set; }

    public required string Payload { get; set; }

    public DeliveryTrigger Trigger { get; set; }

    public DeliveryStatus Status { get; set; }

    /// <summary>Increases with every message queued; the order an in-order destination sends them in.</summary>
    public long Sequence { get; set; }

    /// <summary>Part of its integration's ordered lane (see <see cref="Catalog.IntegrationType.DeliversInOrder"/>).</summary>
    public bool InOrder { get; set; }

    /// <summary>Automatic attempts so far; manual resends do not count against the retry budget.</summary>
    public int AttemptCount { get; set; }

    /// <summary>Every attempt so far, manual ones included; numbers the history.</summary>
    public int TotalAttempts { get; set; }

    /// <summary>When the dispatcher picks it up next.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>
    /// On PostgreSQL, the dispatcher run (on some node) that has taken it to send, until <see cref="ClaimedUntil"/>;
    /// null when no one has, and always on SQLite (docs/decisions/045).
    /// </summary>
    public Guid? ClaimedBy { get; set; }

    /// <summary>The end of <see cref="ClaimedBy"/>'s lease: after it, another node may take the message and send it again.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>
    /// Set by a producer that may queue the same message again (a flow re-run after a crash); unique,
    /// so the second time nothing is queued. Null for everything else.
    /// </summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Per-message delivery parameters a flow's destination sets (topic, path_suffix, headers), for senders that read them.</summary>
    public Dictionary<string, string> Parameters { get; set; } = [];

    /// <summary>
    /// The message's new state after an attempt: delivered, due again later under <paramref name="policy"/>,
    /// or finished as failed or dead. Pure bookkeeping on this object, so the rules are tested without a database.
    /// </summary>
    public void RecordAttempt(DeliveryOutcome outcome, RetryPolicy policy, DeliveryRandom random, DateTimeOffset now)
    {
        var automatic = Trigger == DeliveryTrigger.Automatic;
        TotalAttempts++;
        if (automatic)
        {
            AttemptCount++;
        }

        if (outcome.Succeeded)
        {
            Status = DeliveryStatus.Delivered;
            DeliveredAt = now;
            LastError = null;
            NextAttemptAt = null;
            return;
        }

        LastError = Limits.Shorten(outcome.ErrorMessage ?? "Failed.");
        // A failed manual resend of a message whose automatic retries were not used up goes back on
        // its schedule, waiting again the delay of the step it was at (the resend counts for nothing).
        var resumes = Trigger == DeliveryTrigger.ManualResend && AttemptCount > 0;
        var delay = (automatic || resumes) && outcome.Failure is FailureKind.Retry or FailureKind.Throttled
            ? policy.DelayAfter(AttemptCount, outcome, random)
            : null;
        NextAttemptAt = now + delay;
        if (resumes && delay is not null)
        {
            Trigger = DeliveryTrigger.Automatic;
        }

        // Tests and manual resends are single tries: they end as failed, not dead. A send whose outcome is
        // unknown is not called failed while it may still be retried: the receiver may well have it.
        Status = delay is not null || !automatic
            ? outcome.OutcomeUnknown ? DeliveryStatus.Unknown : DeliveryStatus.Failed
            : DeliveryStatus.Dead;
    }
}

/// <summary>One try at delivering a message, as the operator sees it in the history.</summary>
public sealed class DeliveryAttempt : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid MessageId { get; set; }

    public Guid IntegrationId { get; set; }

    public int AttemptNumber { get; set; }

    public DeliveryTrigger Trigger { get; set; }

    public DateTimeOffset At { get; set; }

    public bool Succeeded { get; set; }

    public string? Url { get; set; }

    public string? Method { get; set; }

    /// <summary>Request headers, one per line, secrets redacted.</summary>
    public string? RequestHeaders { get; set; }

    public string? RequestBody { get; set; }

    public int? StatusCode { get; set; }

    public string? ResponseHeaders { get; set; }

    public string? ResponseBody { get; set; }

    public int DurationMs { get; set; }

    public string? ErrorClass { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>The sender's word for the history: who got the message, who was skipped.</summary>
    public string? Note { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }
}

public sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.Property(m => m.EventType).HasMaxLength(100);
        builder.Property(m => m.Trigger).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.LastError).HasMaxLength(Limits.ErrorMessage);
        builder.Property(m => m.IdempotencyKey).HasMaxLength(200);
        builder.Property(m => m.Parameters).HasJsonMap();
        builder.HasIndex(m => m.IdempotencyKey).IsUnique().HasFilter("\"IdempotencyKey\" IS NOT NULL");
        // The dispatcher's query: waiting messages in the order it takes them, so a batch reads its rows
        // and stops. The filter is the query's own status list, word for word (SQLite and PostgreSQL use a
        // partial index only then); until 2026-12-03 an index on (Status, NextAttemptAt) made every batch
        // read and sort the whole backlog (80,000 waiting: 3,463 msg/s instead of 5,184; decision 049).
        builder.HasIndex(m => new { m.NextAttemptAt, m.Sequence }, DueMessageQuery.DueIndexName)
            .HasFilter(DueMessageQuery.WaitingFilterSql);
        builder.HasIndex(m => new { m.IntegrationId, m.CreatedAt });
        // The ordered lane's "is an earlier message still waiting?" check.
        builder.HasIndex(m => new { m.IntegrationId, m.Sequence });
        // A run renews and releases its claims by its id; only claimed rows are in the index.
        builder.HasIndex(m => m.ClaimedBy).HasFilter("\"ClaimedBy\" IS NOT NULL");
    }
}

public sealed class DeliveryAttemptConfiguration : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> builder)
    {
        builder.Property(a => a.Trigger).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.Url).HasMaxLength(2000);
        builder.Property(a => a.Method).HasMaxLength(Limits.AttemptMethod);
        builder.Property(a => a.ErrorClass).HasMaxLength(50);
        builder.Property(a => a.ErrorMessage).HasMaxLength(Limits.ErrorMessage);
        builder.Property(a => a.Note).HasMaxLength(Limits.ErrorMessage);
        builder.HasIndex(a => new { a.OrganizationId, a.At });
        builder.HasIndex(a => new { a.IntegrationId, a.At });
        builder.HasIndex(a => a.MessageId);
    }
}
