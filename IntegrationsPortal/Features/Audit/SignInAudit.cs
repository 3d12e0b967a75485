using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Audit;

/// <summary>
/// Sign-ins and failed sign-ins in the audit trail: who (the name typed), when, from which address,
/// what happened; never the password or code. An attempt on an account that does not exist belongs to
/// no organization, so it goes into the platform's own chain (the empty organization id), which only
/// the command line verifies.
/// </summary>
public sealed class SignInAudit(IServiceScopeFactory scopes, CurrentUser request, TimeProvider time)
{
    public const string SignedIn = "account.signed_in";
    public const string SignInFailed = "account.sign_in_failed";

    public async Task RecordAsync(PortalUser? user, string attemptedName, string action, string details)
    {
        await using var scope = scopes.CreateAsyncScope();
        var actor = scope.ServiceProvider.GetRequiredService<CurrentUser>();
        if (user is null)
        {
            actor.ActAsPlatform();
        }
        else
        {
            actor.ActAsSystem(user.OrganizationId);
        }

        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = user?.OrganizationId ?? Guid.Empty,
            At = time.GetUtcNow(),
            Actor = Limits.Shorten(user?.UserName ?? attemptedName.Trim(), 256),
            Address = request.Address,
            Action = action,
            Details = details,
        });
        await db.SaveChangesAsync();
    }
}
