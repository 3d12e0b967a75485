using IntegrationsPortal.Infrastructure.Data;
using Quartz;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Wakes this node's dispatcher: on SQLite the Quartz job, on PostgreSQL the node's own loop
/// (<see cref="DeliveryDispatchLoop"/>, 045). Both also poll, so a lost nudge only delays delivery by
/// <see cref="DeliveryOptions.PollInterval"/>; nudging is for latency.
/// </summary>
public sealed class DeliveryScheduler(ISchedulerFactory schedulers, DeliveryDispatcher dispatcher, PortalDatabase database)
{
    public async Task NudgeAsync(CancellationToken ct)
    {
        // A run already going (waiting on a slow receiver) takes the new messages; the job runs one at a time.
        // On PostgreSQL this is the whole nudge: the node's loop waits on the same wake-up.
        dispatcher.Wake();
        if (database.Provider == DatabaseProvider.PostgreSQL)
        {
            return;
        }

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
