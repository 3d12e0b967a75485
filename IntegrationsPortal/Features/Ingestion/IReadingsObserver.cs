namespace IntegrationsPortal.Features.Ingestion;

/// <summary>Readings a pull or backfill has just written, for features that act on new data (flows).</summary>
public sealed record WrittenReadings(Guid SourceIntegrationId, IngestionKind Kind, IReadOnlyList<NewReading> Readings)
{
    /// <summary>
    /// What a flow receives for each reading (same order), when it is more than the reading: an uplink
    /// as its network sent it. Null: the reading itself (FlowInput.Message).
    /// </summary>
    public IReadOnlyList<string>? Messages { get; init; }
}

/// <summary>
/// Told of every page of readings after it is written and before the run's progress is saved, so a
/// crash in between re-reads the page and tells it again: observers must be idempotent. Runs as the
/// system user of the readings' organization; an exception fails the page like a write error would.
/// </summary>
public interface IReadingsObserver
{
    Task ReadingsWrittenAsync(WrittenReadings readings, CancellationToken ct);
}
