using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Ingestion;

public sealed record ReadingPoint(DateTimeOffset Timestamp, double Value, string Unit);

public sealed record LatestReading(string Metric, DateTimeOffset Timestamp, double Value, string Unit);

/// <summary>Reading telemetry back: a resource's metric over a time range, and its latest values.</summary>
public sealed class ReadingQueries(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<IReadOnlyList<ReadingPoint>> SeriesAsync(
        string resourcePath, string metric, DateTimeOffset from, DateTimeOffset to, Guid? sourceIntegrationId = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "read telemetry");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var readings = db.Set<Reading>().AsNoTracking()
            .Where(r => r.ResourcePath == resourcePath && r.Metric == metric
                        && r.TimestampTicks >= from.UtcTicks && r.TimestampTicks < to.UtcTicks);
        if (sourceIntegrationId is { } source)
        {
            readings = readings.Where(r => r.SourceIntegrationId == source);
        }

        return (await readings.OrderBy(r => r.TimestampTicks).Take(10_000)
                .Select(r => new { r.TimestampTicks, r.Value, r.Unit }).ToListAsync(ct))
            .Select(r => new ReadingPoint(new DateTimeOffset(r.TimestampTicks, TimeSpan.Zero), r.Value, r.Unit))
            .ToList();
    }

    /// <summary>Which resources and metrics an integration has brought in, for the chart's pickers.</summary>
    public async Task<IReadOnlyList<(string ResourcePath, string Metric, DateTimeOffset Latest)>> SeriesOfAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "read telemetry");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var series = await db.Set<Reading>().AsNoTracking()
            .Where(r => r.SourceIntegrationId == integrationId)
            .GroupBy(r => new { r.ResourcePath, r.Metric })
            .Select(g => new { g.Key.ResourcePath, g.Key.Metric, Latest = g.Max(r => r.TimestampTicks) })
            .ToListAsync(ct);
        return series.Select(s => (s.ResourcePath, s.Metric, new DateTimeOffset(s.Latest, TimeSpan.Zero)))
            .OrderBy(s => s.ResourcePath).ThenBy(s => s.Metric).ToList();
    }

    public async Task<IReadOnlyList<LatestReading>> LatestAsync(string resourcePath, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "read telemetry");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var latest = await db.Set<Reading>().AsNoTracking()
            .Where(r => r.ResourcePath == resourcePath)
            .GroupBy(r => r.Metric)
            .Select(g => g.OrderByDescending(r => r.TimestampTicks).First())
            .ToListAsync(ct);
        return latest.Select(r => new LatestReading(r.Metric, r.Timestamp, r.Value, r.Unit)).OrderBy(r => r.Metric).ToList();
    }
}
