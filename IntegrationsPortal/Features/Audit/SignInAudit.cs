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
public sealed class SignInAudit(IServiceScopeFactory scopes, CurrentUser request, TimeProvider time) : IOrganizationSwitchAudit
{
    public const string SignedIn = "account.signed_in";
    public const string SignInFailed = "account.sign_in_failed";
    public const string SwitchedIn = "account.switched_in";
    public const string SwitchedOut = "account.switched_out";

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

    /// <summary>
    /// A switch of organization, as one entry in each chain: "switched in" in the organization entered,
    /// "switched out" in the one left, both with who, when and from which address, written in one
    /// save. Each entry names only its own organization, so no organization's trail shows another's
    /// name (docs/decisions/035, 2026-12-02 amendment).
    /// </summary>
    public async Task RecordSwitchAsync(PortalUser user, Guid from, Guid to, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // Platform: the one save writes into two organizations' chains.
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        var names = await db.Organizations.AsNoTracking().Where(o => o.Id == from || o.Id == to).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        var now = time.GetUtcNow();
        var actor = Limits.Shorten(user.UserName ?? "", 256);
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = to, At = now, Actor = actor, Address = request.Address, Action = SwitchedIn,
            Details = $"Switched into {names.GetValueOrDefault(to)} from another of their organizations.",
        });
        if (from != to && names.TryGetValue(from, out var left))
        {
            db.AuditEntries.Add(new AuditEntry
            {
                OrganizationId = from, At = now, Actor = actor, Address = request.Address, Action = SwitchedOut,
                Details = $"Switched out of {left} to another of their organizations.",
            });
        }

        await db.SaveChangesAsync(ct);
    }
}
