using System.ComponentModel.DataAnnotations;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>What the one-time setup form asks for.</summary>
public sealed class FirstAdministratorInput
{
    [Required(ErrorMessage = "Name your organization.")]
    [StringLength(Limits.OrganizationName, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string OrganizationName { get; set; } = "";

    [Required(ErrorMessage = "Enter your name.")]
    [StringLength(Limits.DisplayName, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Enter the email you will sign in with.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(128, MinimumLength = Limits.MinPasswordLength, ErrorMessage = "Use at least 12 characters.")]
    public string Password { get; set; } = "";

    [Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
    public string ConfirmPassword { get; set; } = "";
}

/// <summary>Remembers once the first administrator exists, so the setup check costs nothing afterwards.</summary>
public sealed class SetupState
{
    private volatile bool _complete;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public bool IsComplete => _complete;

    public void MarkComplete() => _complete = true;
}

/// <summary>
/// First start: with no users at all, anyone who reaches the portal may create the first
/// organization and its administrator, exactly once. No default password ships in the code.
/// </summary>
public sealed class SetupService(
    SetupState state,
    IDbContextFactory<PortalDbContext> dbFactory,
    PortalDbContext identityDb,
    CurrentUser currentUser,
    UserManager<PortalUser> userManager,
    RoleManager<IdentityRole> roleManager,
    TimeProvider time)
{
    public async Task<bool> IsSetupCompleteAsync(CancellationToken ct = default)
    {
        if (state.IsComplete)
        {
            return true;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Users.AnyAsync(ct))
        {
            state.MarkComplete();
        }

        return state.IsComplete;
    }

    public async Task<PortalUser> CreateFirstAdministratorAsync(FirstAdministratorInput input, CancellationToken ct = default)
    {
        // One at a time, and re-checked inside the gate: two browsers racing must not make two admins.
        await state.Gate.WaitAsync(ct);
        try
        {
            if (await IsSetupCompleteAsync(ct))
            {
                throw PortalException.Conflict("The portal is already set up. Sign in instead.");
            }

            foreach (var role in PortalRoles.All.Where(r => !roleManager.Roles.Any(x => x.Name == r)))
            {
                await roleManager.CreateAsync(new IdentityRole(role));
            }

            var now = time.GetUtcNow();
            var organization = new Organization { Id = Guid.CreateVersion7(), Name = input.OrganizationName.Trim(), CreatedAt = now };
            var user = new PortalUser
            {
                UserName = input.Email.Trim(),
                Email = input.Email.Trim(),
                DisplayName = input.DisplayName.Trim(),
                OrganizationId = organization.Id,
                CreatedAt = now,
                // The first user runs the platform too: nobody else could create a second organization.
                IsPlatformAdministrator = true,
            };

            // identityDb is the context the user manager writes through, so one transaction covers the
            // organization and its administrator: a refused password leaves nothing behind.
            currentUser.ActAsSystem(organization.Id);
            await using var transaction = await identityDb.Database.BeginTransactionAsync(ct);
            identityDb.Organizations.Add(organization);
            identityDb.AuditEntries.Add(new AuditEntry
            {
                At = now,
                Actor = user.UserName,
                Action = "portal.setup",
                Details = $"Created organization '{organization.Name}' and its administrator.",
            });
            await identityDb.SaveChangesAsync(ct);
            IdentityErrors.ThrowIfFailed(await userManager.CreateAsync(user, input.Password));
            identityDb.Memberships.Add(new Membership { UserId = user.Id, OrganizationId = organization.Id, Role = PortalRoles.Admin, CreatedAt = now });
            await identityDb.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            state.MarkComplete();
            return user;
        }
        finally
        {
            state.Gate.Release();
        }
    }
}
