using System.Diagnostics;
using System.Diagnostics.Metrics;
using IntegrationsPortal.Infrastructure.Telemetry;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>How long pulls and backfills run, by kind, outcome and integration type, on the portal's meter.</summary>
public sealed class IngestionTelemetry(IMeterFactory meters)
{
    public const string RunDurationName = "portal.ingestion.run.duration";

    private readonly Histogram<double> _runDuration = PortalTelemetry.MeterFor(meters)
        .CreateHistogram<double>(RunDurationName, "ms", "How long one pull or backfill ran, from its start to its end or stop.");

    /// <param name="outcome"><c>completed</c>, <c>failed</c> or <c>stopped</c> (cancelled, or the portal stopping).</param>
    public void RunEnded(IngestionKind kind, string outcome, string integrationType, TimeSpan duration) =>
        _runDuration.Record(duration.TotalMilliseconds, new TagList
        {
            { "kind", kind == IngestionKind.Backfill ? "backfill" : "pull" },
            { "outcome", outcome },
            { "integration.type", integrationType },
        });
}
