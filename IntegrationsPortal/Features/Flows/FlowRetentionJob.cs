using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Infrastructure.Data;
using Quartz;

namespace IntegrationsPortal.Features.Flows;

/// <summary>Deletes flow history older than the delivery history's retention (Portal:Delivery:HistoryRetentionDays), across organizations.</summary>
[DisallowConcurrentExecution]
public sealed class FlowRetentionJob(IDbContextFactory<PortalDbContext> dbFactory, DeliveryOptions options, TimeProvider time) : IJob
{
    public static readonly JobKey Key = new("flow-retention", "flows");

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        new(DeleteExpiredAsync(cancellationToken));

    /// <summary>Returns how many runs were deleted.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.HistoryRetentionDays);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Set<FlowRunStep>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]).Where(s => s.At < cutoff).ExecuteDeleteAsync(ct);
        return await db.Set<FlowRun>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(r => r.StartedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
