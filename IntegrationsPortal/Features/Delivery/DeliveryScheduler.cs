using Quartz;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Wakes the dispatcher job. It also runs on a short repeating trigger, so a lost nudge only
/// delays delivery by <see cref="DeliveryOptions.PollInterval"/>; nudging is for latency.
/// </summary>
public sealed class DeliveryScheduler(ISchedulerFactory schedulers, DeliveryDispatcher dispatcher)
{
    public async Task NudgeAsync(CancellationToken ct)
    {
        // A run already going (waiting on a slow receiver) takes the new messages; the job runs one at a time.
        dispatcher.Wake();
        var scheduler = await schedulers.GetScheduler(ct);
        try
        {
            await scheduler.TriggerJob(DeliveryDispatchJob.Key, ct);
        }
        catch (SchedulerException)
        {
            // No dispatcher job here (a host without the scheduler, tests): the poll or a direct run delivers.
        }
    }
}
