using System.Security.Claims;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>An organization made for a test, and its administrator.</summary>
public sealed record Tenant(Guid OrganizationId, string AdminUserId, string AdminEmail);

public static class TestPasswords
{
    // Made up for the tests; the portal ships no password at all.
    public const string Strong = "correct-horse-battery-42";
}

/// <summary>Test data made through the portal's own services, on the app's root service provider.</summary>
public static class TenantSeeder
{
    /// <summary>The first organization and its administrator, through the real first-run setup.</summary>
    public static async Task<Tenant> SetUpFirstOrganizationAsync(
        this IServiceProvider services, string organization = "Acme Energy", string email = "admin@acme.test")
    {
        await using var scope = services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<SetupService>().CreateFirstAdministratorAsync(new FirstAdministratorInput
        {
            OrganizationName = organization,
            DisplayName = "Ada Admin",
            Email = email,
            Password = TestPasswords.Strong,
            ConfirmPassword = TestPasswords.Strong,
        });
        return new Tenant(user.OrganizationId, user.Id, email);
    }

    /// <summary>Adds a user with a role, as the organization's administrator would.</summary>
    public static async Task<string> AddUserAsync(this IServiceProvider services, Tenant admin, string email, string role)
    {
        await using var scope = services.AsUser(admin.OrganizationId, admin.AdminUserId, admin.AdminEmail, PortalRoles.Admin);
        return await scope.ServiceProvider.GetRequiredService<SettingsService>().CreateUserAsync(new NewUserInput
        {
            DisplayName = email.Split('@')[0],
            Email = email,
            Role = role,
            Password = TestPasswords.Strong,
        });
    }

    /// <summary>A DI scope whose <see cref="CurrentUser"/> is the given user, as a request would set it.</summary>
    public static AsyncServiceScope AsUser(this IServiceProvider services, Guid organizationId, string userId, string userName, string role)
    {
        var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, userId),
            new Claim(ClaimTypes.Name, userName),
            new Claim(ClaimTypes.Role, role),
            new Claim(PortalClaims.OrganizationId, organizationId.ToString()),
        ], "test")));
        return scope;
    }

    public static AsyncServiceScope AsAdmin(this IServiceProvider services, Tenant tenant) =>
        services.AsUser(tenant.OrganizationId, tenant.AdminUserId, tenant.AdminEmail, PortalRoles.Admin);

    /// <summary>
    /// A further organization with its administrator, for tenant-isolation tests. The portal itself
    /// creates only the first one (at setup); this writes the same rows through the same stores.
    /// </summary>
    public static async Task<Tenant> CreateOrganizationAsync(this IServiceProvider services, string name, string adminEmail)
    {
        await using var scope = services.CreateAsyncScope();
        var organization = new Organization { Id = Guid.CreateVersion7(), Name = name, CreatedAt = DateTimeOffset.UtcNow };
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organization.Id);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Organizations.Add(organization);
        db.AuditEntries.Add(new AuditEntry { At = DateTimeOffset.UtcNow, Actor = adminEmail, Action = "test.seeded", Details = $"Seeded {name}." });
        await db.SaveChangesAsync();

        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = new PortalUser { UserName = adminEmail, Email = adminEmail, DisplayName = "Boss", OrganizationId = organization.Id };
        IdentityErrors.ThrowIfFailed(await users.CreateAsync(admin, TestPasswords.Strong));
        db.Memberships.Add(new Membership { UserId = admin.Id, OrganizationId = organization.Id, Role = PortalRoles.Admin });
        await db.SaveChangesAsync();
        return new Tenant(organization.Id, admin.Id, adminEmail);
    }
}
