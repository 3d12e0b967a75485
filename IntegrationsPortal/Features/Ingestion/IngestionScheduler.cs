using IntegrationsPortal.Infrastructure.Jobs;
using Quartz;
using TriggerBuilder = Quartz.TriggerBuilder;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>Quartz plumbing for ingestion: one durable, recoverable job per backfill, and one recurring pull per active ingress integration.</summary>
public sealed class IngestionScheduler(ISchedulerFactory schedulers)
{
    public const string OrganizationKey = "organizationId";
    public const string RunKey = "runId";
    public const string IntegrationKey = "integrationId";

    public static JobKey PullJobKey(Guid integrationId) => new($"pull-{integrationId}", "ingestion");

    public static JobKey BackfillJobKey(Guid runId) => new($"backfill-{runId}", "ingestion");

    public async Task EnqueueBackfillAsync(Guid organizationId, Guid runId, CancellationToken ct) =>
        await EnqueueBackfillAsync(await schedulers.GetScheduler(ct), organizationId, runId, ct);

    public async Task EnqueueBackfillAsync(IScheduler scheduler, Guid organizationId, Guid runId, CancellationToken ct)
    {
        // RequestRecovery: a backfill cut off by a crash or restart runs again and resumes from its last window.
        var job = JobBuilder.Create<BackfillJob>()
            .WithIdentity(BackfillJobKey(runId))
            .UsingJobData(OrganizationKey, organizationId.ToString())
            .UsingJobData(RunKey, runId.ToString())
            .RequestRecovery()
            .Build();
        // One trigger per run's job: queued again (the sweep after a restart), it still runs once.
        await scheduler.ScheduleJob(job, [TriggerBuilder.Create().ForJob(job).WithIdentity(JobTriggers.OnlyTriggerOf(job)).StartNow().Build()], ScheduleJobOptions.Replacing, ct);
    }

    /// <summary>
    /// Makes sure the integration is pulled on its cron schedule, or else every <paramref name="interval"/>;
    /// replaces a trigger whose schedule changed. True when it (re)scheduled.
    /// </summary>
    public async Task<bool> EnsurePullScheduledAsync(
        IScheduler scheduler, Guid organizationId, Guid integrationId, TimeSpan interval, string? cron, CancellationToken ct)
    {
        var key = PullJobKey(integrationId);
        var existing = await scheduler.GetTriggersOfJob(key, ct);
        if (cron is { Length: > 0 }
                ? existing.OfType<ICronTrigger>().Any(t => t.CronExpressionString == cron)
                : existing.OfType<ISimpleTrigger>().Any(t => t.RepeatInterval == interval))
        {
            return false;
        }

        var job = JobBuilder.Create<PullJob>()
            .WithIdentity(key)
            .UsingJobData(OrganizationKey, organizationId.ToString())
            .UsingJobData(IntegrationKey, integrationId.ToString())
            .Build();
        // One trigger per job, so a changed schedule replaces the old trigger instead of adding a second.
        var trigger = TriggerBuilder.Create().ForJob(job).WithIdentity(JobTriggers.OnlyTriggerOf(job));
        await scheduler.ScheduleJob(job, [cron is { Length: > 0 }
            ? trigger.WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc)).Build()
            : trigger.StartNow().WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()).Build()], ScheduleJobOptions.Replacing, ct);
        return true;
    }

    /// <summary>One pull now, besides the schedule (the job's own lock keeps it from overlapping a scheduled one).</summary>
    public async Task PullNowAsync(Guid organizationId, Guid integrationId, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var key = PullJobKey(integrationId);
        if (await scheduler.Exists(key, ct))
        {
            await scheduler.TriggerJob(key, ct);
            return;
        }

        // Not scheduled yet (activated a moment ago): a one-off job; the sweep adds the recurring trigger.
        var job = JobBuilder.Create<PullJob>()
            .WithIdentity(key)
            .UsingJobData(OrganizationKey, organizationId.ToString())
            .UsingJobData(IntegrationKey, integrationId.ToString())
            .Build();
        await scheduler.ScheduleJob(job, [TriggerBuilder.Create().ForJob(job).StartNow().Build()], ScheduleJobOptions.Replacing, ct);
    }

    /// <summary>
    /// When the integration is pulled next; none once the portal is stopping. Open pages refresh as the
    /// backfills they show stop, after Quartz has shut down, and that is a normal stop, not an error.
    /// </summary>
    public async Task<DateTimeOffset?> NextPullAsync(Guid integrationId, CancellationToken ct)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler(ct);
            if (await IsStoppingAsync(scheduler, ct))
            {
                return null;
            }

            var triggers = await scheduler.GetTriggersOfJob(PullJobKey(integrationId), ct);
            return triggers.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min();
        }
        catch (SchedulerException)
        {
            if (!await IsShutDownAsync())
            {
                throw;
            }

            return null;
        }
    }

    private static async Task<bool> IsStoppingAsync(IScheduler scheduler, CancellationToken ct) =>
        await scheduler.GetStatus(ct) is SchedulerStatus.ShuttingDown or SchedulerStatus.Shutdown;

    // The factory itself throws "Scheduler has been shut down" once the scheduler is gone.
    private async Task<bool> IsShutDownAsync()
    {
        try
        {
            return await HasStoppedAsync(await schedulers.GetScheduler());
        }
        catch (SchedulerException)
        {
            return true;
        }
    }

    /// <summary>The scheduler is shutting down or gone (a scheduler that is gone may refuse even this question).</summary>
    internal static async Task<bool> HasStoppedAsync(IScheduler scheduler)
    {
        try
        {
            return await IsStoppingAsync(scheduler, CancellationToken.None);
        }
        catch (SchedulerException)
        {
            return true;
        }
    }
}
