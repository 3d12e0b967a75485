using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Accounts.Invitations;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Platform;

/// <summary>
/// What a platform administrator does across organizations: list them with their counts, create,
/// rename, suspend and resume them, and appoint other platform administrators. Every call checks the
/// caller's own row (not only the cookie's claim), and every change is audited in the organization
/// it touched, so that organization's Admins see it in their own audit log.
/// </summary>
public sealed class PlatformService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    IServiceScopeFactory scopes,
    UserSessions sessions,
    IntegrationEvents integrationEvents,
    DeliveryScheduler deliveryScheduler,
    TimeProvider time)
{
    public async Task<IReadOnlyList<OrganizationOverview>> ListOrganizationsAsync(CancellationToken ct = default)
    {
        await DemandAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        // Three grouped counts rather than three per organization; deleted integrations stay filtered out.
        var users = await db.Memberships.GroupBy(m => m.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var integrations = await db.Set<Integration>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .GroupBy(i => i.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var deliveries = await db.Set<OutboxMessage>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(m => m.CreatedAt >= today)
            .GroupBy(m => m.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var organizations = await db.Organizations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(ct);
        return organizations
            .Select(o => new OrganizationOverview(o.Id, o.Name, o.CreatedAt, o.SuspendedAt,
                users.GetValueOrDefault(o.Id), integrations.GetValueOrDefault(o.Id), deliveries.GetValueOrDefault(o.Id)))
            .ToList();
    }

    /// <summary>A new, empty organization; its first Admin is invited next.</summary>
    public async Task<Guid> CreateOrganizationAsync(OrganizationInput input, CancellationToken ct = default)
    {
        await DemandAsync(ct);
        InputValidation.ThrowIfInvalid(input);
        var name = input.Name.Trim();
        await RefuseTakenNameAsync(name, null, ct);
        var organization = new Organization { Id = Guid.CreateVersion7(), Name = name, CreatedAt = time.GetUtcNow() };
        await InOrganizationAsync(organization.Id, db =>
        {
            db.Organizations.Add(organization);
            return Task.FromResult($"Created the organization '{name}'.");
        }, "organization.created", ct);
        return organization.Id;
    }

    /// <summary>
    /// Invites an Admin into an organization, typically its first: the only way into an organization
    /// made here. The answer is the same whether or not the email has an account already.
    /// </summary>
    public async Task<IssuedInvitation> InviteAdministratorAsync(Guid organizationId, PlatformInvitationInput input, CancellationToken ct = default)
    {
        await DemandAsync(ct);
        InputValidation.ThrowIfInvalid(input);
        IssuedInvitation? issued = null;
        await InOrganizationAsync(organizationId, async db =>
        {
            var organization = await FindAsync(db, organizationId, ct);
            issued = InvitationService.Issue(db, organizationId, input.Email, PortalRoles.Admin, currentUser.UserName, time);
            return $"Invited {issued.Email} as Admin of '{organization.Name}'.";
        }, "invitation.created", ct);
        return issued!;
    }

    public async Task RenameOrganizationAsync(Guid organizationId, OrganizationInput input, CancellationToken ct = default)
    {
        await DemandAsync(ct);
        InputValidation.ThrowIfInvalid(input);
        var name = input.Name.Trim();
        await RefuseTakenNameAsync(name, organizationId, ct);
        await InOrganizationAsync(organizationId, async db =>
        {
            var organization = await FindAsync(db, organizationId, ct);
            var oldName = organization.Name;
            organization.Name = name;
            return $"Renamed the organization from '{oldName}' to '{name}'.";
        }, "organization.renamed", ct);
    }

    /// <summary>
    /// Stops the organization: its users' sessions end now and they cannot sign in, its API keys act for
    /// nobody, and its integrations neither send nor pull. Nothing is deleted; waiting messages wait.
    /// </summary>
    public async Task SuspendOrganizationAsync(Guid organizationId, CancellationToken ct = default)
    {
        await DemandAsync(ct);
        if (organizationId == currentUser.OrganizationId)
        {
            throw PortalException.Conflict("You cannot suspend the organization you are signed in to: you would lock yourself out.");
        }

        await InOrganizationAsync(organizationId, async db =>
        {
            var organization = await FindAsync(db, organizationId, ct);
            if (organization.IsSuspended)
            {
                throw PortalException.Conflict($"'{organization.Name}' is already suspended.");
            }

            organization.SuspendedAt = time.GetUtcNow();
            return $"Suspended the organization '{organization.Name}'.";
        }, "organization.suspended", ct);

        // Open circuits of its users end now rather than at their next revalidation.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var userId in await db.Memberships.Where(m => m.OrganizationId == organizationId).Select(m => m.UserId).ToListAsync(ct))
        {
            sessions.Announce(userId);
        }

        await AnnounceIntegrationsAsync(db, organizationId, ct);
    }

    /// <summary>
    /// Tells whatever holds an integration's connection (MQTT) or shows it that its organization was
    /// suspended or resumed: the MQTT connections of a suspended organization close.
    /// </summary>
    private async Task AnnounceIntegrationsAsync(PortalDbContext db, Guid organizationId, CancellationToken ct)
    {
        var ids = await db.Set<Integration>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(i => i.OrganizationId == organizationId).Select(i => i.Id).ToListAsync(ct);
        foreach (var id in ids)
        {
            integrationEvents.Publish(id);
        }
    }

    /// <summary>Lets the organization carry on: sign-in, API keys, waiting messages and scheduled pulls.</summary>
    public async Task ResumeOrganizationAsync(Guid organizationId, CancellationToken ct = default)
    {
        await DemandAsync(ct);
        await InOrganizationAsync(organizationId, async db =>
        {
            var organization = await FindAsync(db, organizationId, ct);
            if (!organization.IsSuspended)
            {
                throw PortalException.Conflict($"'{organization.Name}' is not suspended.");
            }

            organization.SuspendedAt = null;
            return $"Resumed the organization '{organization.Name}'.";
        }, "organization.resumed", ct);

        // Waiting messages go now rather than at the dispatcher's next poll; pending verifications at the next sweep.
        await deliveryScheduler.NudgeAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await AnnounceIntegrationsAsync(db, organizationId, ct);
    }

    public async Task<IReadOnlyList<PlatformAdministrator>> ListAdministratorsAsync(CancellationToken ct = default)
    {
        await DemandAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().Where(u => u.IsPlatformAdministrator)
            .OrderBy(u => u.DisplayName)
            .Select(u => new PlatformAdministrator(u.Id, u.Email ?? "", u.DisplayName))
            .ToListAsync(ct);
    }

    /// <summary>Makes an existing account a platform administrator, or (<paramref name="appoint"/> false) no longer one.</summary>
    public async Task SetAdministratorAsync(PlatformAdministratorInput input, bool appoint, CancellationToken ct = default)
    {
        await DemandAsync(ct);
        InputValidation.ThrowIfInvalid(input);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().CopyFrom(currentUser);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByNameAsync(input.Email.Trim());
        if (user is null)
        {
            throw PortalException.Invalid(nameof(input.Email), "No account signs in with this email.");
        }

        if (!appoint && user.Id == currentUser.UserId)
        {
            throw PortalException.Invalid(nameof(input.Email), "You cannot remove yourself; another platform administrator can.");
        }

        if (user.IsPlatformAdministrator == appoint)
        {
            return;
        }

        user.IsPlatformAdministrator = appoint;
        IdentityErrors.ThrowIfFailed(await users.UpdateAsync(user));
        // Their sessions carry the old claim; a new stamp makes them sign in again with the new one.
        await UserSessions.EndCookiesAsync(users, user);
        await InOrganizationAsync(user.OrganizationId, _ => Task.FromResult(appoint
            ? $"Appointed {user.Email} a platform administrator."
            : $"{user.Email} is no longer a platform administrator."), appoint ? "platform.admin_appointed" : "platform.admin_removed", ct);
        sessions.Announce(user.Id);
    }

    /// <summary>Refuses anyone but a platform administrator, read from their row so a revoked appointment counts at once.</summary>
    private async Task DemandAsync(CancellationToken ct)
    {
        var userId = currentUser.UserId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (userId is null || !await db.Users.AnyAsync(u => u.Id == userId && u.IsPlatformAdministrator && !u.IsDisabled, ct))
        {
            throw new PortalException(PortalErrorKind.Forbidden, "Only a platform administrator may manage organizations.");
        }
    }

    private static async Task<Organization> FindAsync(PortalDbContext db, Guid organizationId, CancellationToken ct) =>
        await db.Organizations.SingleOrDefaultAsync(o => o.Id == organizationId, ct) ?? throw PortalException.NotFound("The organization");

    private async Task RefuseTakenNameAsync(string name, Guid? except, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // In memory: a portal has few organizations, and SQLite's lower() knows only ASCII.
        var names = await db.Organizations.Where(o => o.Id != except).Select(o => o.Name).ToListAsync(ct);
        if (names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw PortalException.Invalid(nameof(OrganizationInput.Name), "Another organization has this name.");
        }
    }

    /// <summary>
    /// Runs a change with a context acting in <paramref name="organizationId"/>, so the audit entry is
    /// that organization's, and saves it in the same transaction as the change. The entry names the
    /// platform administrator, not "system".
    /// </summary>
    private async Task InOrganizationAsync(Guid organizationId, Func<PortalDbContext, Task<string>> change, string auditAction, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        var details = await change(db);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, auditAction, details));
        await db.SaveChangesAsync(ct);
    }
}
