using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Accounts.Invitations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Settings;

/// <summary>
/// The organization's settings and its users. Reading the organization needs View; everything about
/// users and renaming needs Administer. Users are filtered by organization here because the Identity
/// tables are outside the tenant query filter (see <see cref="PortalUser"/>).
/// </summary>
public sealed class SettingsService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    IServiceScopeFactory scopeFactory,
    UserSessions sessions,
    IInvitationEmail invitationEmail,
    TimeProvider time)
{
    public async Task<OrganizationSummary> GetOrganizationAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see the organization");
        var organizationId = currentUser.RequireOrganization();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == organizationId, ct);
        var users = await db.Memberships.CountAsync(m => m.OrganizationId == organizationId, ct);
        return new OrganizationSummary(organization.Id, organization.Name, organization.CreatedAt, users, organization.CustomIntegrationsEnabled, organization.RequireTwoFactor);
    }

    public async Task RenameOrganizationAsync(OrganizationInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "rename the organization");
        InputValidation.ThrowIfInvalid(input);
        var organizationId = currentUser.RequireOrganization();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var organization = await db.Organizations.SingleAsync(o => o.Id == organizationId, ct);
        var oldName = organization.Name;
        organization.Name = input.Name.Trim();
        Audit(db, "organization.renamed", $"Renamed the organization from '{oldName}' to '{organization.Name}'.");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Lets the catalog list first-party custom integration types for this organization.</summary>
    public Task SetCustomIntegrationsAsync(bool enabled, CancellationToken ct = default) =>
        ChangeOrganizationSettingAsync(o => o.CustomIntegrationsEnabled = enabled,
            "organization.custom_integrations", enabled ? "Enabled custom integrations." : "Disabled custom integrations.", ct);

    /// <summary>Makes every user of the organization set up two-factor sign-in before they can do anything else.</summary>
    public Task SetRequireTwoFactorAsync(bool required, CancellationToken ct = default) =>
        ChangeOrganizationSettingAsync(o => o.RequireTwoFactor = required,
            "organization.require_two_factor", required ? "Required two-factor sign-in." : "No longer requires two-factor sign-in.", ct);

    /// <summary>An Admin's change of one organization switch, audited.</summary>
    private async Task ChangeOrganizationSettingAsync(Action<Organization> change, string auditAction, string auditText, CancellationToken ct)
    {
        currentUser.Demand(PortalPermission.Administer, "change organization settings");
        var organizationId = currentUser.RequireOrganization();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        change(await db.Organizations.SingleAsync(o => o.Id == organizationId, ct));
        Audit(db, auditAction, auditText);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The organization's members, each with their role here (a user may belong to other organizations too).</summary>
    public async Task<IReadOnlyList<UserSummary>> ListUsersAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "manage users");
        var organizationId = currentUser.RequireOrganization();
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var users = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new
            {
                u.Id, u.Email, u.DisplayName, IsDisabled = m.DisabledAt != null || u.IsDisabled, u.LockoutEnd, m.CreatedAt, m.Role,
            })
            .OrderBy(u => u.DisplayName)
            .ToListAsync(ct);
        return users
            .Select(u => new UserSummary(u.Id, u.Email ?? "", u.DisplayName, u.Role, u.IsDisabled, u.LockoutEnd > now, u.CreatedAt))
            .ToList();
    }

    /// <summary>
    /// "Add user" with a first password. The answer never tells whether the email has an account in
    /// another organization (docs/decisions/035, 2026-12-02 amendment): the password is checked by the
    /// same rules, hashed at the same cost, and the answer, the audit entry and the screen are the same.
    /// A new email gets its account and membership at once; an existing account is not added behind
    /// its owner's back: it gets an invitation (emailed through the alert email integration when there
    /// is one) and the password typed is discarded. Only a member of this organization already is
    /// refused, which the Users list shows anyway. Returns the new user's id, or the invitation's.
    /// </summary>
    public async Task<string> CreateUserAsync(NewUserInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "add users");
        InputValidation.ThrowIfInvalid(input);
        var (id, invitation) = await InIdentityScopeAsync(async (users, db) =>
        {
            var now = time.GetUtcNow();
            var organizationId = currentUser.RequireOrganization();
            var email = input.Email.Trim();
            var user = new PortalUser { UserName = email, Email = email, DisplayName = input.DisplayName.Trim(), OrganizationId = organizationId, CreatedAt = now };
            foreach (var validator in users.PasswordValidators)
            {
                IdentityErrors.ThrowIfFailed(await validator.ValidateAsync(users, user, input.Password));
            }

            var existing = await users.FindByNameAsync(email) ?? await users.FindByEmailAsync(email);
            string id;
            IssuedInvitation? invitation = null;
            if (existing is null)
            {
                IdentityErrors.ThrowIfFailed(await users.CreateAsync(user, input.Password));
                db.Memberships.Add(new Membership { UserId = user.Id, OrganizationId = organizationId, Role = input.Role, CreatedAt = now });
                id = user.Id;
            }
            else if (await db.Memberships.AnyAsync(m => m.UserId == existing.Id && m.OrganizationId == organizationId, ct))
            {
                var taken = $"{email} is a member of this organization already.";
                throw new PortalException(PortalErrorKind.Conflict, taken, new Dictionary<string, string[]> { ["Email"] = [taken] });
            }
            else
            {
                // The hash a new account costs, thrown away: the answer takes as long either way.
                users.PasswordHasher.HashPassword(user, input.Password);
                invitation = InvitationService.Issue(db, organizationId, email, input.Role, currentUser.UserName, time);
                id = invitation.Id.ToString();
            }

            Audit(db, "user.created", $"Added {email} as {input.Role} (a new account, or an invitation to accept when the email has an account).");
            await db.SaveChangesAsync(ct);
            return (id, invitation);
        }, ct);
        if (invitation is not null)
        {
            // After the commit: the email is queued by a context of its own.
            await invitationEmail.SendAsync(currentUser.RequireOrganization(), invitation, ct);
        }

        return id;
    }

    /// <summary>
    /// Changes a member's role in this organization only. Their sessions working here end at the next
    /// request (the cookie check compares the role), their sessions in other organizations carry on.
    /// </summary>
    public async Task ChangeRoleAsync(string userId, string role, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "change roles");
        if (!PortalRoles.All.Contains(role))
        {
            throw PortalException.Invalid("Role", "The role must be Admin, Operator or Viewer.");
        }

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var (user, membership) = await FindMemberAsync(db, userId, ct);
            var current = membership.Role;
            if (current == role)
            {
                return;
            }

            if (current == PortalRoles.Admin)
            {
                await RefuseRemovingLastAdminAsync(db, "change the role of", ct);
            }

            membership.Role = role;
            Audit(db, "user.role_changed", $"Changed {user.Email} from {current} to {role}.");
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        // After the commit: open circuits end now rather than at their next revalidation.
        sessions.Announce(userId);
    }

    /// <summary>
    /// Takes a member out of this organization (or, for <see cref="CurrentUser"/>, leaves it). The
    /// account stays, with its other memberships; its sessions here end at the next request.
    /// </summary>
    public async Task RemoveMemberAsync(string userId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "remove members");
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var (user, membership) = await FindMemberAsync(db, userId, ct);
            if (membership.Role == PortalRoles.Admin)
            {
                await RefuseRemovingLastAdminAsync(db, userId == currentUser.UserId ? "leave as" : "remove", ct);
            }

            db.Memberships.Remove(membership);
            Audit(db, "user.removed", $"Removed {user.Email} from the organization.");
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        sessions.Announce(userId);
    }

    /// <summary>
    /// Disables or enables a member in this organization only (docs/decisions/035, 2026-12-02 amendment):
    /// their sessions working here end at the next request and they cannot sign in to or switch into it;
    /// their account and their other organizations carry on, so the security stamp is left alone.
    /// </summary>
    public async Task SetDisabledAsync(string userId, bool disabled, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "disable users");
        if (disabled && userId == currentUser.UserId)
        {
            throw PortalException.Conflict("You cannot disable your own account.");
        }

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var (user, membership) = await FindMemberAsync(db, userId, ct);
            if (disabled == (membership.DisabledAt is not null))
            {
                return;
            }

            if (disabled && membership.Role == PortalRoles.Admin)
            {
                await RefuseRemovingLastAdminAsync(db, "disable", ct);
            }

            membership.DisabledAt = disabled ? time.GetUtcNow() : null;
            Audit(db, disabled ? "user.disabled" : "user.enabled", $"{(disabled ? "Disabled" : "Enabled")} {user.Email} in this organization.");
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        // Open circuits re-check their own session: only those working here end.
        sessions.Announce(userId);
    }

    public async Task<IReadOnlyList<AuditEntrySummary>> ListAuditAsync(int take = 100, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "read the audit log");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AuditEntries.AsNoTracking()
            .OrderByDescending(a => a.At).ThenByDescending(a => a.Id)
            .Take(Math.Clamp(take, 1, 500))
            .Select(a => new AuditEntrySummary(a.At, a.Actor, a.Action, a.Details))
            .ToListAsync(ct);
    }

    /// <summary>The user and their membership in this organization; another organization's user is reported as missing, not as forbidden: no probing for ids.</summary>
    private async Task<(PortalUser User, Membership Membership)> FindMemberAsync(PortalDbContext db, string userId, CancellationToken ct)
    {
        var organizationId = currentUser.RequireOrganization();
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.UserId == userId && m.OrganizationId == organizationId, ct);
        var user = membership is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        return user is not null ? (user, membership!) : throw PortalException.NotFound("The user");
    }

    /// <summary>Every organization keeps at least one enabled Admin, or nobody could manage it any more.</summary>
    private async Task RefuseRemovingLastAdminAsync(PortalDbContext db, string action, CancellationToken ct)
    {
        if (await db.ActiveAdminCountAsync(currentUser.RequireOrganization(), ct) <= 1)
        {
            throw PortalException.Conflict($"You cannot {action} the last administrator; make someone else an Admin first.");
        }
    }

    private void Audit(PortalDbContext db, string action, string details) =>
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, action, details));

    /// <summary>
    /// Runs user changes with a UserManager of their own scope (a circuit-long one would keep one
    /// DbContext for hours) and one transaction over the user rows and the audit entry.
    /// </summary>
    private async Task<T> InIdentityScopeAsync<T>(Func<UserManager<PortalUser>, PortalDbContext, Task<T>> work, CancellationToken ct)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().CopyFrom(currentUser);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var result = await work(users, db);
        await transaction.CommitAsync(ct);
        return result;
    }
}
