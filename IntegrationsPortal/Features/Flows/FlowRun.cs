using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Flows;

public enum FlowRunStatus
{
    /// <summary>Every output reached the outbox (or was held back from an inactive destination).</summary>
    Completed,
    /// <summary>The functions returned nothing: no message was queued.</summary>
    Dropped,
    /// <summary>A function threw or hit a limit; nothing was queued.</summary>
    Failed,
}

public enum FlowStepKind
{
    Function,
    Destination,
}

/// <summary>
/// One reading through one flow, recorded once it is done. Its id is derived from the flow and the
/// reading (see <see cref="FlowInput.RunId"/>), so reading the same data again finds the same run
/// instead of making a new one.
/// </summary>
public sealed class FlowRun : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid FlowId { get; set; }

    public Guid VersionId { get; set; }

    public int VersionNumber { get; set; }

    public FlowRunStatus Status { get; set; }

    /// <summary>The message the sources produced, as JSON; kept whatever the outcome.</summary>
    public required string Input { get; set; }

    public Guid SourceIntegrationId { get; set; }

    public required string ResourcePath { get; set; }

    public DateTimeOffset ReadingAt { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Messages put in the outbox.</summary>
    public int MessagesQueued { get; set; }

    public string? Error { get; set; }
}

/// <summary>What one node did in a run: a function's output and logs or error, or a destination's message.</summary>
public sealed class FlowRunStep : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid RunId { get; set; }

    public required string NodeId { get; set; }

    public FlowStepKind Kind { get; set; }

    /// <summary>Which message reaching the node this is (fan-out and several paths make more than one).</summary>
    public int Index { get; set; }

    public string? Input { get; set; }

    /// <summary>A function's result (JSON array of its messages; empty when it dropped); a destination's payload is its outbox message's.</summary>
    public string? Output { get; set; }

    public string? Logs { get; set; }

    public string? Error { get; set; }

    /// <summary>The delivery history's message, for a destination that got one.</summary>
    public Guid? OutboxMessageId { get; set; }

    /// <summary>Why a destination got nothing (not active), in words for the history.</summary>
    public string? Note { get; set; }

    public DateTimeOffset At { get; set; }
}

public sealed class FlowRunConfiguration : IEntityTypeConfiguration<FlowRun>
{
    public void Configure(EntityTypeBuilder<FlowRun> builder)
    {
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.ResourcePath).HasMaxLength(200);
        builder.Property(r => r.Error).HasMaxLength(Limits.ErrorMessage);
        // History by flow and time, the list's counts; every index costs the runner an insert per run.
        builder.HasIndex(r => new { r.FlowId, r.StartedAt });
    }
}

public sealed class FlowRunStepConfiguration : IEntityTypeConfiguration<FlowRunStep>
{
    public void Configure(EntityTypeBuilder<FlowRunStep> builder)
    {
        builder.Property(s => s.NodeId).HasMaxLength(64);
        builder.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Error).HasMaxLength(Limits.ErrorMessage);
        builder.Property(s => s.Note).HasMaxLength(Limits.ErrorMessage);
        // A run's steps are read by their run only (history, debug view); a step names its message, but
        // nothing looks a step up by it, so that column has no index to keep up at every step written.
        builder.HasIndex(s => s.RunId);
    }
}
