namespace IntegrationsPortal.Features.Ingestion;

/// <summary>Readings a pull or backfill has just written, for features that act on new data (flows).</summary>
public sealed record WrittenReadings(Guid SourceIntegrationId, IngestionKind Kind, IReadOnlyList<NewReading> Readings);

/// <summary>
/// Told of every page of readings after it is written and before the run's progress is saved, so a
/// crash in between re-reads the page and tells it again: observers must be idempotent. Runs as the
/// system user of the readings' organization; an exception fails the page like a write error would.
/// </summary>
public interface IReadingsObserver
{
    Task ReadingsWrittenAsync(WrittenReadings readings, CancellationToken ct);
}
