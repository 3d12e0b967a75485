using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Infrastructure.Jobs;

/// <summary>
/// Reads Quartz.NET's own tables in the portal's database, for what its API says of this node only. The
/// one place that knows their layout: Quartz stores times as UTC ticks and intervals in milliseconds, on
/// both providers.
/// </summary>
public sealed class QuartzStore(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>
    /// The jobs of <paramref name="group"/> some portal node runs at this moment, by name, with the latest
    /// time each was fired (<c>qrtz_fired_triggers</c>, state EXECUTING); the scheduler's own
    /// GetCurrentlyExecutingJobs sees this node only. A job's row goes when the job ends. A node that dies
    /// keeps its rows until another node finds its check-in overdue and recovers it, which deletes them; on
    /// SQLite (one process) Quartz deletes the last process's rows as it starts. So work whose job is not
    /// here has no node doing it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ExecutingInGroupAsync(string group, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var fired = await db.Database.SqlQuery<ExecutingJob>(
                $"SELECT job_name AS \"Name\", fired_time AS \"FiredTicks\" FROM qrtz_fired_triggers WHERE job_group = {group} AND state = 'EXECUTING'")
            .ToListAsync(ct);
        return fired.GroupBy(f => f.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new DateTimeOffset(g.Max(f => f.FiredTicks), TimeSpan.Zero), StringComparer.Ordinal);
    }

    /// <summary>
    /// When a scheduler instance last checked in with the job cluster (<c>qrtz_scheduler_state</c>, clustered
    /// store only), and how often it should; null before its first check-in.
    /// </summary>
    public async Task<ClusterCheckIn?> CheckInAsync(string schedulerName, string instanceId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Database.SqlQuery<CheckInRow>(
                $"SELECT last_checkin_time AS \"LastTicks\", checkin_interval AS \"IntervalMilliseconds\" FROM qrtz_scheduler_state WHERE sched_name = {schedulerName} AND instance_name = {instanceId}")
            .ToListAsync(ct);
        return rows is [var row]
            ? new ClusterCheckIn(new DateTimeOffset(row.LastTicks, TimeSpan.Zero), TimeSpan.FromMilliseconds(row.IntervalMilliseconds))
            : null;
    }

    private sealed record ExecutingJob(string Name, long FiredTicks);

    private sealed record CheckInRow(long LastTicks, long IntervalMilliseconds);
}

/// <summary>A scheduler instance's last check-in with the job cluster, and the interval it checks in at.</summary>
public sealed record ClusterCheckIn(DateTimeOffset At, TimeSpan Interval);
