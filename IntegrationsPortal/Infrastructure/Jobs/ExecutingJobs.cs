using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Infrastructure.Jobs;

/// <summary>
/// The jobs some portal node runs at this moment, as Quartz records them in its store in the portal's
/// database (<c>qrtz_fired_triggers</c>, state EXECUTING), each with when it was fired; the scheduler's own
/// GetCurrentlyExecutingJobs sees this node only. A job's row goes when the job ends. A node that dies keeps
/// its rows until another node finds its check-in (<c>qrtz_scheduler_state</c>) overdue and recovers it, which
/// deletes them; on SQLite (one process) Quartz deletes the last process's rows as it starts. So work whose
/// job is not here has no node doing it.
/// </summary>
public sealed class ExecutingJobs(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The jobs of <paramref name="group"/> running on any node, by name, with the latest time each was fired.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> InGroupAsync(string group, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Quartz.NET stores fired_time as UTC ticks, on both providers.
        var fired = await db.Database.SqlQuery<ExecutingJob>(
                $"SELECT job_name AS \"Name\", fired_time AS \"FiredTicks\" FROM qrtz_fired_triggers WHERE job_group = {group} AND state = 'EXECUTING'")
            .ToListAsync(ct);
        return fired.GroupBy(f => f.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new DateTimeOffset(g.Max(f => f.FiredTicks), TimeSpan.Zero), StringComparer.Ordinal);
    }

    private sealed record ExecutingJob(string Name, long FiredTicks);
}
