using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using Quartz;

namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>
/// The safety net for "saved, but the verification job was never queued" (a crash between the
/// two): every few minutes, any pending_verify integration without a queued job gets one, unless its
/// organization is suspended.
/// </summary>
[DisallowConcurrentExecution]
public sealed class VerificationSweepJob(
    IDbContextFactory<PortalDbContext> dbFactory, VerificationScheduler verification,
    ILogger<VerificationSweepJob> logger) : IJob
{
    public static readonly JobKey Key = new("verification-sweep", "verification");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Across organizations on purpose: this job only re-queues work, it reads no secrets.
        // A suspended organization's integrations wait: nothing of it decrypts credentials until it resumes,
        // and then this sweep queues them again (docs/decisions/031).
        var suspended = db.SuspendedOrganizationIds();
        var pending = await db.Set<Integration>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(i => i.Status == IntegrationStatus.PendingVerify && !suspended.Contains(i.OrganizationId))
            .Select(i => new { i.Id, i.OrganizationId, i.VerificationGeneration })
            .ToListAsync(cancellationToken);
        foreach (var integration in pending)
        {
            if (!await context.Scheduler.Exists(VerificationScheduler.JobKeyFor(integration.Id), cancellationToken))
            {
                logger.LogWarning("Integration {IntegrationId} was pending verification with nothing queued; queueing it", integration.Id);
                await verification.EnqueueAsync(integration.OrganizationId, integration.Id, integration.VerificationGeneration, cancellationToken);
            }
        }
    }
}
