using IntegrationsPortal.Features.Integrations.Verification;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// When the portal's queued verification of an integration will run, read from Quartz's own store:
/// the product never needs to ask, so the question lives with the tests that do.
/// </summary>
public static class QueuedVerification
{
    public static async Task<DateTimeOffset?> NextRunAsync(IServiceProvider services, Guid integrationId, CancellationToken ct)
    {
        var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler(ct);
        var triggers = await scheduler.GetTriggersOfJob(VerificationScheduler.JobKeyFor(integrationId), ct);
        return triggers.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min();
    }
}
