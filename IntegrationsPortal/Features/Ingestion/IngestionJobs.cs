using IntegrationsPortal.Features.Accounts;
using System.Globalization;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Ingestion.Providers;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Quartz;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>Runs one backfill to its end (or its cancellation); after a restart Quartz recovers it and it resumes from the last window.</summary>
[DisallowConcurrentExecution]
public sealed class BackfillJob(IServiceScopeFactory scopes) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var data = context.MergedJobDataMap;
        var runId = Guid.Parse(data.GetString(IngestionScheduler.RunKey)!);
        await IngestionJobRunner.RunAsync(scopes, Guid.Parse(data.GetString(IngestionScheduler.OrganizationKey)!), runId, cancellationToken);
    }
}

/// <summary>One scheduled pull: from where the last pull ended (minus a lookback for late data) to now.</summary>
[DisallowConcurrentExecution]
public sealed class PullJob(IServiceScopeFactory scopes, TimeProvider time) : IJob
{
    /// <summary>Re-read this much before the last pull's end: providers publish late data.</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromHours(1);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var data = context.MergedJobDataMap;
        var organizationId = Guid.Parse(data.GetString(IngestionScheduler.OrganizationKey)!);
        var integrationId = Guid.Parse(data.GetString(IngestionScheduler.IntegrationKey)!);
        Guid runId;
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
            var integration = await db.Set<Integration>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, cancellationToken);
            if (integration is not { Status: IntegrationStatus.Active } || await db.IsSuspendedAsync(organizationId, cancellationToken))
            {
                return; // disabled, in error, deleted or suspended: no pulls (the schedule sweep removes the trigger)
            }

            var now = time.GetUtcNow();
            var lastEnd = await db.Set<IngestionRun>()
                .Where(r => r.IntegrationId == integrationId && r.Kind == IngestionKind.Pull && r.Status == IngestionRunStatus.Completed)
                .OrderByDescending(r => r.CreatedAt).Select(r => (DateTimeOffset?)r.To).FirstOrDefaultAsync(cancellationToken);
            var interval = IngestionScheduleJob.IntervalOf(integration);
            var from = (lastEnd ?? now - interval) - Lookback;
            var run = new IngestionRun
            {
                Id = Guid.CreateVersion7(),
                IntegrationId = integrationId,
                Kind = IngestionKind.Pull,
                Status = IngestionRunStatus.Queued,
                From = from,
                To = now,
                WindowSize = IngestionService.DefaultWindow,
                WindowsTotal = IngestionService.WindowCount(from, now, IngestionService.DefaultWindow),
                RequestedBy = "schedule",
                CreatedAt = now,
            };
            db.Add(run);
            await db.SaveChangesAsync(cancellationToken);
            runId = run.Id;
        }

        await IngestionJobRunner.RunAsync(scopes, organizationId, runId, cancellationToken);
    }
}

/// <summary>The part both jobs share: resolve the integration as the system, run the engine, and put the integration in error if the provider refused its credentials.</summary>
internal static class IngestionJobRunner
{
    public static async Task RunAsync(IServiceScopeFactory scopes, Guid organizationId, Guid runId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // A stopping portal (SIGTERM) ends the run at once rather than at its end: Quartz waits for its jobs
        // on shutdown, which was the whole backfill (or the host's 30 s). Progress is saved after every page;
        // after the restart the schedule sweep queues the backfill again and it resumes from there (the page in
        // flight is read again, which the upsert makes harmless), and the next pull covers a stopped pull.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, scope.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        try
        {
            await RunInScopeAsync(scope, runId, organizationId, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // A normal stop, not a failure: one line, no stack trace.
            scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngestionJobRunner))
                .LogInformation("Ingestion run {RunId} stopped with the portal; it resumes after the restart", runId);
        }
    }

    private static async Task RunInScopeAsync(AsyncServiceScope scope, Guid runId, Guid organizationId, CancellationToken ct)
    {
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        var run = await db.Set<IngestionRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.IsFinished || await db.IsSuspendedAsync(organizationId, ct))
        {
            return; // a suspended organization's backfill stays queued; the sweep picks it up after resume
        }

        ConfiguredIntegration integration;
        try
        {
            integration = await scope.ServiceProvider.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(run.IntegrationId, Audit.CredentialPurpose.Pull, 1, ct);
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.NotFound)
        {
            return;
        }

        try
        {
            await scope.ServiceProvider.GetRequiredService<IngestionEngine>().RunAsync(runId, integration, ct);
        }
        catch (ProviderAuthenticationException e)
        {
            await scope.ServiceProvider.GetRequiredService<IntegrationStatusRecorder>().RecordProblemAsync(integration.Id, LifecycleEvent.CredentialsRejected, e.Message, ct);
        }
    }
}

/// <summary>
/// Keeps one recurring pull per active ingress integration at its configured interval, and none
/// for the rest; and re-queues any unfinished backfill that has no job (the portal was stopped in
/// the middle of it), which then resumes from its last finished window. Runs every minute, so a
/// newly verified or re-activated integration starts pulling within a minute, and a disabled one stops.
/// </summary>
[DisallowConcurrentExecution]
public sealed class IngestionScheduleJob(IDbContextFactory<PortalDbContext> dbFactory, IngestionScheduler ingestion, IngestionEvents events) : IJob
{
    public static readonly JobKey Key = new("ingestion-schedule", "ingestion");

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        new(SweepAsync(context.Scheduler, cancellationToken));

    public async Task SweepAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        var ingressTypes = CatalogData.Types.Where(t => t.Direction == IntegrationDirection.Ingress && !t.ReceivesPushes).Select(t => t.Key).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Across organizations on purpose: only schedules are touched here, no data is read.
        var suspended = db.SuspendedOrganizationIds();
        var active = await db.Set<Integration>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]).AsNoTracking()
            .Where(i => ingressTypes.Contains(i.TypeKey) && i.Status == IntegrationStatus.Active && !suspended.Contains(i.OrganizationId))
            .ToListAsync(cancellationToken);
        foreach (var integration in active)
        {
            if (await ingestion.EnsurePullScheduledAsync(scheduler, integration.OrganizationId, integration.Id, IntervalOf(integration),
                    integration.Properties.GetValueOrDefault("schedule_cron"), cancellationToken))
            {
                events.Publish(integration.Id); // an open Data tab shows the next pull at once
            }
        }

        var activeKeys = active.Select(i => IngestionScheduler.PullJobKey(i.Id)).ToHashSet();
        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals("ingestion"), cancellationToken))
        {
            if (key.Name.StartsWith("pull-", StringComparison.Ordinal) && !activeKeys.Contains(key))
            {
                await scheduler.DeleteJob(key, cancellationToken);
                if (Guid.TryParse(key.Name["pull-".Length..], out var stopped))
                {
                    events.Publish(stopped);
                }
            }
        }

        // A graceful stop cancels a running backfill's job without Quartz recovering it later.
        var unfinished = await db.Set<IngestionRun>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]).AsNoTracking()
            .Where(r => r.Kind == IngestionKind.Backfill && (r.Status == IngestionRunStatus.Queued || r.Status == IngestionRunStatus.Running))
            .Where(r => !suspended.Contains(r.OrganizationId))
            .Select(r => new { r.Id, r.OrganizationId })
            .ToListAsync(cancellationToken);
        foreach (var run in unfinished)
        {
            if (!await scheduler.Exists(IngestionScheduler.BackfillJobKey(run.Id), cancellationToken))
            {
                await ingestion.EnqueueBackfillAsync(scheduler, run.OrganizationId, run.Id, cancellationToken);
            }
        }
    }

    public static TimeSpan IntervalOf(Integration integration) =>
        TimeSpan.FromMinutes(double.TryParse(integration.Properties.GetValueOrDefault("interval_minutes"), NumberStyles.Float,
            CultureInfo.InvariantCulture, out var minutes) && minutes >= 1 ? minutes : 60);
}
