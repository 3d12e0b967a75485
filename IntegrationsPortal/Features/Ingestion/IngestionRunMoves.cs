using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>
/// Moves a run along <see cref="IngestionRunLifecycle"/> in one conditional UPDATE (<c>WHERE status =</c> the
/// status the move was worked out from). The operator and the job write the same row at the same time; a move
/// worked out from a status that changed meanwhile is worked out again from the new one, so neither overwrites
/// the other: a queued run cancelled just as its job starts ends cancelling, not running, and a cancelled run
/// stays cancelled whatever the job does later.
/// </summary>
internal static class IngestionRunMoves
{
    /// <summary>The service's move: the run must exist, and a move the table refuses is refused with the table's message.</summary>
    public static async Task<IngestionRunStatus> MoveAsync(this PortalDbContext db, Guid runId, IngestionRunEvent happening, DateTimeOffset now, CancellationToken ct) =>
        await MoveAsync(db, runId, happening, now, error: null, quiet: false, ct) ?? throw PortalException.NotFound("The run");

    /// <summary>The engine's move: null when the run is gone or its status no longer allows <paramref name="happening"/>.</summary>
    public static Task<IngestionRunStatus?> TryMoveAsync(this PortalDbContext db, Guid runId, IngestionRunEvent happening, DateTimeOffset now, CancellationToken ct, string? error = null) =>
        MoveAsync(db, runId, happening, now, error, quiet: true, ct);

    private static async Task<IngestionRunStatus?> MoveAsync(
        PortalDbContext db, Guid runId, IngestionRunEvent happening, DateTimeOffset now, string? error, bool quiet, CancellationToken ct)
    {
        while (true)
        {
            var run = await db.Set<IngestionRun>().AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.Kind, r.Status }).SingleOrDefaultAsync(ct);
            if (run is null || quiet && !IngestionRunLifecycle.Allows(run.Kind, run.Status, happening))
            {
                return null;
            }

            var next = IngestionRunLifecycle.Next(run.Kind, run.Status, happening);
            DateTimeOffset? finishedAt = IngestionRunLifecycle.IsInFlight(next) ? null : now;
            // Only a failure has an error; any other move (a resume above all) clears the last one.
            var shortError = happening == IngestionRunEvent.Failed && error is not null ? Limits.Shorten(error) : null;
            var moved = await db.Set<IngestionRun>().Where(r => r.Id == runId && r.Status == run.Status).ExecuteUpdateAsync(s =>
            {
                s.SetProperty(r => r.Status, next)
                    .SetProperty(r => r.FinishedAt, finishedAt)
                    .SetProperty(r => r.Error, shortError);
                if (happening == IngestionRunEvent.Started)
                {
                    s.SetProperty(r => r.StartedAt, r => r.StartedAt ?? now);
                }
            }, ct);
            if (moved > 0)
            {
                return next;
            }
        }
    }
}
