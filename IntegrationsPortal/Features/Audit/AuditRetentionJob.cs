using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Quartz;

namespace IntegrationsPortal.Features.Audit;

/// <summary>Once a day, each organization's audit entries past the retention are pruned.</summary>
[DisallowConcurrentExecution]
public sealed class AuditRetentionJob(IDbContextFactory<PortalDbContext> dbFactory, IServiceScopeFactory scopes) : IJob
{
    public static readonly JobKey Key = new("audit-retention", "audit");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        List<Guid> organizations;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            organizations = await db.Organizations.Select(o => o.Id).ToListAsync(cancellationToken);
        }

        foreach (var organizationId in organizations)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
            await scope.ServiceProvider.GetRequiredService<AuditTrail>().PruneAsync(cancellationToken);
        }
    }
}
