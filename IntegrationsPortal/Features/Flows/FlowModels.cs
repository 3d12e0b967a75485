using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Features.Flows;

/// <summary>A row of the flows list: what it connects, and how it has been doing.</summary>
public sealed record FlowSummary(
    Guid Id, string Name, FlowState State, int? DeployedVersion, IReadOnlyList<string> Sources, IReadOnlyList<string> Destinations,
    DateTimeOffset? LastRunAt, int RunsToday, int FailuresToday, IReadOnlyList<int> DailyRuns) : IGridRow
{
    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(FlowSummary? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

public sealed record FlowVersionRow(int Number, DateTimeOffset SavedAt, string SavedBy);

/// <summary>A flow as the editor opens it: the draft to edit, and the deployed versions.</summary>
public sealed record FlowDetail(
    Guid Id, string Name, FlowState State, int? DeployedVersion, FlowGraph Draft, DateTimeOffset DraftSavedAt,
    bool DraftDiffersFromDeployed, IReadOnlyList<FlowVersionRow> Versions, IReadOnlyList<FlowEvent> Allowed);

public sealed record DeployResult(int Version, IReadOnlyList<FlowProblem> Warnings);

public sealed record FlowHistoryQuery
{
    public Guid? FlowId { get; init; }

    public FlowRunStatus? Status { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Skip { get; init; }

    public int Take { get; init; } = 25;
}

public sealed record FlowRunRow(
    Guid Id, Guid FlowId, string FlowName, int Version, FlowRunStatus Status, string ResourcePath, DateTimeOffset ReadingAt,
    DateTimeOffset StartedAt, int MessagesQueued, string? Error) : IGridRow
{
    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(FlowRunRow? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

/// <summary>One step of a run; for a destination, its message's delivery status (null once the delivery history expired).</summary>
public sealed record FlowStepView(
    string NodeId, FlowStepKind Kind, int Index, string? Input, string? Output, string? Logs, string? Error, string? Note,
    Guid? OutboxMessageId, DeliveryStatus? DeliveryStatus, DateTimeOffset At);

/// <summary>A recent run as the editor's debug view shows it at the sources: what came in, and how it ended.</summary>
public sealed record FlowDebugRun(Guid Id, int Version, FlowRunStatus Status, string Input, string? Error, DateTimeOffset StartedAt);

public sealed record FlowRunDetail(FlowRunRow Run, string Input, IReadOnlyList<FlowStepView> Steps);

/// <summary>
/// A flow that names an integration (as a source or a destination), or reaches it through a capability
/// destination whose routing rules name it (<see cref="ViaCapabilities"/>, empty for a direct use), for the integration's page.
/// </summary>
public sealed record FlowUse(Guid FlowId, string Name, FlowState State, IReadOnlyList<string> ViaCapabilities);
