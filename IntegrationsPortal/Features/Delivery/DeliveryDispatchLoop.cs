namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// On PostgreSQL each node runs its own dispatcher: a run whenever something is queued on this node
/// (<see cref="DeliveryScheduler.NudgeAsync"/>) or every <see cref="DeliveryOptions.PollInterval"/> (for what
/// other nodes queued, retries falling due, and leases of a node that died). Not a Quartz job: the clustered
/// store fires a job on one node at a time, and a <c>[DisallowConcurrentExecution]</c> one on one node only
/// (docs/decisions/045). The claims keep the nodes' runs apart.
/// </summary>
public sealed class DeliveryDispatchLoop(DeliveryDispatcher dispatcher, DeliveryOptions options, ILogger<DeliveryDispatchLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the run: a nudge while it runs (after its last look) starts another at once.
            var nudged = dispatcher.NextWake;
            try
            {
                await dispatcher.RunDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // What the run did not record stays due (its claims are released or run out); the next run sends it.
                logger.LogError("Delivery dispatch run failed: {Exception}", e.GetType().Name);
            }

            await Task.WhenAny(nudged, Task.Delay(options.PollInterval, stoppingToken));
        }
    }
}
