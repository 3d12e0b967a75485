using System.Globalization;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Jobs;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace IntegrationsPortal.Infrastructure.Health;

/// <summary>
/// Health endpoints for a load balancer or orchestrator, anonymous (they say nothing but the state):
/// <c>/health/live</c> answers while the process serves requests, with no checks, so a slow database
/// never gets a node restarted; <c>/health/ready</c> checks what a node needs to take work: the
/// database answers and the Quartz scheduler runs, and on PostgreSQL that the node checks in with the
/// job cluster (a node that stopped checking in has its jobs taken over by the others, so it should not
/// take new requests either). 200 with <c>Healthy</c>, 503 with <c>Unhealthy</c>.
/// </summary>
public static class HealthExtensions
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddPortalHealth(this IHostApplicationBuilder builder)
    {
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<SchedulerHealthCheck>("scheduler", tags: [ReadyTag]);
        if (builder.Configuration.GetDatabaseProvider() == DatabaseProvider.PostgreSQL)
        {
            checks.AddCheck<ClusterCheckInHealthCheck>("cluster-check-in", tags: [ReadyTag]);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapPortalHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return endpoints;
    }
}

/// <summary>The database answers a query (a file SQLite can read, a PostgreSQL server that accepts the connection).</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<PortalDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database cannot be reached.");
    }
}

/// <summary>Quartz runs jobs on this node: started and not in standby or shutting down.</summary>
internal sealed class SchedulerHealthCheck(ISchedulerFactory schedulers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return await scheduler.GetStatus(cancellationToken) == SchedulerStatus.Running
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The job scheduler is not running.");
    }
}

/// <summary>
/// On PostgreSQL, this node's Quartz scheduler checked in with the cluster lately: its row in
/// <c>qrtz_scheduler_state</c> was written within <see cref="MissedCheckIns"/> check-in intervals. The
/// other nodes take over the jobs of a node whose check-in is overdue (by one interval and a little),
/// so a node that cannot check in (its database connection pool exhausted, say) is not ready.
/// </summary>
internal sealed class ClusterCheckInHealthCheck(ISchedulerFactory schedulers, QuartzStore quartzStore, TimeProvider time) : IHealthCheck
{
    public const int MissedCheckIns = 3;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (await quartzStore.CheckInAsync(scheduler.SchedulerName, scheduler.SchedulerInstanceId, cancellationToken) is not { } checkIn)
        {
            return HealthCheckResult.Unhealthy("This node has not checked in with the job cluster.");
        }

        var age = time.GetUtcNow() - checkIn.At;
        return age <= checkIn.Interval * MissedCheckIns
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                $"This node last checked in with the job cluster {age.TotalSeconds:0} s ago; it should every {checkIn.Interval.TotalSeconds:0.#} s."));
    }
}
