using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Quartz;

namespace IntegrationsPortal.Features.Operations;

/// <summary>
/// Catches up operations the process stopped in the middle of (decision 034): a hop saved but its message
/// never queued, or a message that ended while nobody was left to hear it. Each operation is moved on by
/// <see cref="OperationService.CatchUpAsync"/>, as its own organization, once it has been still for
/// <see cref="Quiet"/>: a live portal moves operations on within a dispatcher run.
/// </summary>
[DisallowConcurrentExecution]
public sealed class OperationSweepJob(IDbContextFactory<PortalDbContext> dbFactory, IServiceScopeFactory scopes, TimeProvider time, ILogger<OperationSweepJob> logger) : IJob
{
    public static readonly JobKey Key = new("operation-sweep", "operations");

    public static readonly TimeSpan Quiet = TimeSpan.FromMinutes(1);

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        new(SweepAsync(cancellationToken));

    /// <summary>Returns how many queued operations were looked at.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var stillSince = time.GetUtcNow() - Quiet;
        List<(string Id, Guid OrganizationId)> queued;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            queued = (await db.Set<Operation>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
                .Where(o => o.Status == OperationStatus.Queued && o.UpdatedAt < stillSince)
                .Select(o => new { o.Id, o.OrganizationId }).ToListAsync(ct))
                .Select(o => (o.Id, o.OrganizationId)).ToList();
        }

        foreach (var (id, organizationId) in queued)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
                await scope.ServiceProvider.GetRequiredService<OperationService>().CatchUpAsync(id, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError("Operation {OperationId} could not be caught up: {Exception}", id, e.GetType().Name);
            }
        }

        return queued.Count;
    }
}
