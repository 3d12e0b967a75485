using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts.Invitations;

/// <summary>
/// Invitations to an organization (docs/decisions/035). An Admin invites by email and role and gets a
/// one-time link, shown once; the answer is the same whether or not the email already has an account,
/// so inviting never tells whether someone uses the portal elsewhere. Accepting either creates the
/// account (password rules and all) or, for a signed-in account with the invited email, adds the
/// membership. Every step is an audit entry in the organization's chain.
/// </summary>
public sealed class InvitationService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    IServiceScopeFactory scopes,
    IInvitationEmail email,
    TimeProvider time)
{
    /// <summary>Issues the invitation and emails it through the alert email integration when there is one; the link is in the answer either way.</summary>
    public async Task<IssuedInvitation> InviteAsync(InvitationInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "invite people");
        InputValidation.ThrowIfInvalid(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var issued = Issue(db, currentUser.RequireOrganization(), input.Email, input.Role, currentUser.UserName, time);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "invitation.created", $"Invited {issued.Email} as {issued.Role}."));
        await db.SaveChangesAsync(ct);
        await email.SendAsync(currentUser.RequireOrganization(), issued, ct);
        return issued;
    }

    /// <summary>Adds a new invitation to <paramref name="db"/> (not saved) and returns its link; shared with the Platform page's first-Admin invitation.</summary>
    public static IssuedInvitation Issue(PortalDbContext db, Guid organizationId, string email, string role, string invitedBy, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var token = Invitation.NewToken();
        var invitation = new Invitation
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organizationId,
            Email = email.Trim(),
            Role = role,
            TokenHash = Invitation.Hash(token),
            InvitedBy = invitedBy,
            CreatedAt = now,
            ExpiresAt = now + Invitation.Lifetime,
        };
        db.Invitations.Add(invitation);
        return new IssuedInvitation(invitation.Id, invitation.Email, role, Invitation.LinkPath(token), invitation.ExpiresAt);
    }

    public async Task<IReadOnlyList<PendingInvitation>> ListPendingAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "see invitations");
        var organizationId = currentUser.RequireOrganization();
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Invitations.AsNoTracking()
            .Where(i => i.OrganizationId == organizationId && i.AcceptedAt == null && i.RevokedAt == null)
            .OrderBy(i => i.CreatedAt)
            .ToListAsync(ct);
        return rows.Where(i => i.IsOpenAt(now)).Select(i => new PendingInvitation(i.Id, i.Email, i.Role, i.InvitedBy, i.ExpiresAt)).ToList();
    }

    public async Task RevokeAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "revoke invitations");
        var organizationId = currentUser.RequireOrganization();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == id && i.OrganizationId == organizationId, ct)
                         ?? throw PortalException.NotFound("The invitation");
        if (!invitation.IsOpenAt(time.GetUtcNow()))
        {
            throw PortalException.Conflict("This invitation was already accepted, revoked or has expired.");
        }

        invitation.RevokedAt = time.GetUtcNow();
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "invitation.revoked", $"Revoked the invitation of {invitation.Email}."));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The invitation a link stands for, or null when the link is unknown, used, revoked or expired (one answer for all).</summary>
    public async Task<InvitationView?> FindAsync(string token, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invitation = await FindOpenAsync(db, token, ct);
        if (invitation is null)
        {
            return null;
        }

        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == invitation.OrganizationId, ct);
        return new InvitationView(organization.Name, invitation.Email, invitation.Role);
    }

    /// <summary>Creates the invited person's account and membership; the caller signs them in. Refuses an email that already has an account.</summary>
    public Task<PortalUser> AcceptWithNewAccountAsync(string token, NewAccountInput input, CancellationToken ct = default)
    {
        InputValidation.ThrowIfInvalid(input);
        return AcceptAsync(token, async (users, invitation, now) =>
        {
            if (await users.FindByNameAsync(invitation.Email) is not null)
            {
                // Only the holder of the link learns this, and it is their own email.
                throw PortalException.Invalid(nameof(NewAccountInput.Password), "An account with this email exists already. Sign in first, then open the link again.");
            }

            var user = new PortalUser
            {
                UserName = invitation.Email,
                Email = invitation.Email,
                DisplayName = input.DisplayName.Trim(),
                OrganizationId = invitation.OrganizationId,
                CreatedAt = now,
            };
            // The password rules of every account: length, variety and the common-password list.
            var created = await users.CreateAsync(user, input.Password);
            if (!created.Succeeded)
            {
                throw PortalException.Invalid(nameof(NewAccountInput.Password), string.Join(" ", created.Errors.Select(e => e.Description)));
            }

            return user;
        }, ct);
    }

    /// <summary>Adds the membership to the signed-in account, which must have the invited email, and makes it the account's current organization.</summary>
    public Task<PortalUser> AcceptAsExistingAccountAsync(string token, string userId, CancellationToken ct = default) =>
        AcceptAsync(token, async (users, invitation, _) =>
        {
            var user = await users.FindByIdAsync(userId) ?? throw PortalException.NotFound("The account");
            if (!string.Equals(user.UserName, invitation.Email, StringComparison.OrdinalIgnoreCase))
            {
                throw PortalException.Conflict($"This invitation is for another email address. Sign out, then open the link again.");
            }

            user.OrganizationId = invitation.OrganizationId;
            IdentityErrors.ThrowIfFailed(await users.UpdateAsync(user));
            return user;
        }, ct);

    /// <summary>
    /// One transaction over the invitation, the account and the membership, on the user manager's own
    /// context; the invitation is claimed with a conditional update, so two accepts of one link cannot
    /// both succeed.
    /// </summary>
    private async Task<PortalUser> AcceptAsync(string token, Func<UserManager<PortalUser>, Invitation, DateTimeOffset, Task<PortalUser>> account, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var now = time.GetUtcNow();
        var invitation = await FindOpenAsync(db, token, ct) ?? throw NotValid();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(invitation.OrganizationId);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.Invitations
            .Where(i => i.Id == invitation.Id && i.AcceptedAt == null && i.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.AcceptedAt, now), ct);
        if (claimed != 1)
        {
            throw NotValid();
        }

        var user = await account(users, invitation, now);
        var existing = await db.Memberships.SingleOrDefaultAsync(m => m.UserId == user.Id && m.OrganizationId == invitation.OrganizationId, ct);
        if (existing is null)
        {
            db.Memberships.Add(new Membership { UserId = user.Id, OrganizationId = invitation.OrganizationId, Role = invitation.Role, CreatedAt = now });
        }

        db.AuditEntries.Add(new AuditEntry
        {
            At = now,
            Actor = invitation.Email,
            Address = currentUser.Address,
            Action = "invitation.accepted",
            Details = existing is null
                ? $"{invitation.Email} accepted the invitation and joined as {invitation.Role}."
                : $"{invitation.Email} accepted the invitation; they were a member already and keep the role {existing.Role}.",
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return user;
    }

    private async Task<Invitation?> FindOpenAsync(PortalDbContext db, string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return null;
        }

        var hash = Invitation.Hash(token);
        var invitation = await db.Invitations.AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
        return invitation is not null && invitation.IsOpenAt(time.GetUtcNow())
               && !await db.IsSuspendedAsync(invitation.OrganizationId, ct)
            ? invitation
            : null;
    }

    private static PortalException NotValid() =>
        PortalException.Conflict("This invitation link is not valid any more: it was used, revoked or has expired. Ask for a new one.");
}
