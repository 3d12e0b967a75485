using IntegrationsPortal.Infrastructure.Jobs;
using Quartz;
using TriggerBuilder = Quartz.TriggerBuilder;

namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>
/// Queues verification as a Quartz job in the persistent store, so it survives a restart and the
/// caller returns at once. One job per integration: a newer request replaces a queued one.
/// </summary>
public sealed class VerificationScheduler(ISchedulerFactory schedulers, TimeProvider time)
{
    public static JobKey JobKeyFor(Guid integrationId) => new($"verify-{integrationId}", "verification");

    public async Task EnqueueAsync(Guid organizationId, Guid integrationId, int generation, CancellationToken ct, int attempt = 1, TimeSpan delay = default)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var job = JobBuilder.Create<VerifyIntegrationJob>()
            .WithIdentity(JobKeyFor(integrationId))
            .UsingJobData(VerifyIntegrationJob.OrganizationKey, organizationId.ToString())
            .UsingJobData(VerifyIntegrationJob.IntegrationKey, integrationId.ToString())
            .UsingJobData(VerifyIntegrationJob.GenerationKey, generation.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .UsingJobData(VerifyIntegrationJob.AttemptKey, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Build();
        // One trigger per job: a check queued again replaces the waiting one. With a trigger each, a check
        // queued twice ran twice, and a retry queued while an earlier trigger waited behind the running
        // check (one at a time) ran at once, not after its delay.
        var trigger = TriggerBuilder.Create()
            .ForJob(job)
            .WithIdentity(JobTriggers.OnlyTriggerOf(job))
            .StartAt(time.GetUtcNow() + delay)
            .Build();
        await scheduler.ScheduleJob(job, [trigger], ScheduleJobOptions.Replacing, ct);
    }

    public async Task CancelAsync(Guid integrationId, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        // The queued check can fire while it is being deleted: Quartz then finds its trigger already gone
        // and throws "Unable to unschedule trigger" (a delete straight after an update did, 1 in 2). Deleting
        // again settles it; a check that did start sees the integration's new generation and records nothing.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await scheduler.DeleteJob(JobKeyFor(integrationId), ct);
                return;
            }
            catch (SchedulerException) when (attempt < 3)
            {
            }
        }
    }
}
