using Quartz;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// On SQLite, delivers whatever is due; one at a time, since batches are taken without claiming them.
/// (On PostgreSQL every node runs <see cref="DeliveryDispatchLoop"/> instead, 045.)
/// </summary>
[DisallowConcurrentExecution]
public sealed class DeliveryDispatchJob(DeliveryDispatcher dispatcher) : IJob
{
    public static readonly JobKey Key = new("delivery-dispatch", "delivery");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await dispatcher.RunDueAsync(cancellationToken);
}

/// <summary>Keeps the delivery history bounded: attempts and finished messages older than the retention period go.</summary>
[DisallowConcurrentExecution]
public sealed class DeliveryRetentionJob(IServiceScopeFactory scopes) : IJob
{
    public static readonly JobKey Key = new("delivery-retention", "delivery");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DeliveryService>().DeleteExpiredHistoryAsync(cancellationToken);
    }
}
