using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// For the jobs that verify and use integrations: records what they found (verified, failed, being
/// retried, in error) through the lifecycle, each as one short write that an outdated job cannot undo.
/// </summary>
public sealed class IntegrationStatusRecorder(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    IntegrationEvents events,
    TimeProvider time)
{
    /// <summary>Applies a verification's outcome, unless the integration moved on since it was queued.</summary>
    internal async Task<bool> RecordVerificationAsync(Guid id, int generation, VerificationResult result, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (integration is null || integration.VerificationGeneration != generation || integration.Status != IntegrationStatus.PendingVerify)
        {
            return false;
        }

        var now = time.GetUtcNow();
        integration.Transition(result.Succeeded ? LifecycleEvent.VerificationSucceeded : LifecycleEvent.VerificationFailed);
        integration.VerifiedAt = result.Succeeded ? now : integration.VerifiedAt;
        integration.LastError = result.Succeeded ? null : Limits.Shorten(result.Message);
        if (result.Succeeded && result.Account is { Length: > 0 })
        {
            integration.Metadata[Integration.VerifiedAccountKey] = Limits.Shorten(result.Account, 200);
        }

        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, result.Succeeded ? "integration.verified" : "integration.verification_failed",
            result.Succeeded ? $"Verified '{integration.Name}'." : $"Verification of '{integration.Name}' failed: {integration.LastError}", integration.Id));
        await db.SaveChangesAsync(ct);
        events.Publish(id);
        return true;
    }

    /// <summary>Shows the operator that verification is being retried, and why; the status stays pending_verify.</summary>
    internal async Task<bool> RecordVerificationRetryAsync(Guid id, int generation, string message, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (integration is null || integration.VerificationGeneration != generation || integration.Status != IntegrationStatus.PendingVerify)
        {
            return false;
        }

        integration.LastError = Limits.Shorten(message);
        // A job's note on the way to a verdict, not a change to the integration: the list's "Updated" stays.
        TimestampInterceptor.KeepUpdatedAt(db, integration);
        await db.SaveChangesAsync(ct);
        events.Publish(id);
        return true;
    }

    /// <summary>
    /// A receiver is gone (410), deliveries kept failing, or a provider refused the credentials
    /// during a pull, so the integration goes to error with the reason. Does nothing when the
    /// lifecycle does not allow it (already in error, or inactive). Returns whether it went to error
    /// now, so a caller alerts once, not at every later failure.
    /// </summary>
    internal async Task<bool> RecordProblemAsync(Guid id, LifecycleEvent happening, string reason, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (integration is null || !IntegrationLifecycle.Allows(integration.Status, happening))
        {
            return false;
        }

        integration.Transition(happening);
        integration.LastError = Limits.Shorten(reason);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, $"integration.{happening.ToString().ToLowerInvariant()}", $"'{integration.Name}' went to error: {integration.LastError}", integration.Id));
        await db.SaveChangesAsync(ct);
        events.Publish(id);
        return true;
    }
}
