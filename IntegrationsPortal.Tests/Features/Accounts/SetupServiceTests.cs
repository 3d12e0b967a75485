using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Accounts;

public class SetupServiceTests : IAsyncLifetime
{
    private readonly List<AsyncServiceScope> _scopes = [];
    private PortalServices _portal = default!;

    public async ValueTask InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var scope in _scopes)
        {
            await scope.DisposeAsync();
        }

        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task FreshDatabase_IsNotSetUp()
    {
        await using var scope = _portal.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<SetupService>().IsSetupCompleteAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Setup_CreatesOrganizationAndAdministrator_WhoCanSignIn()
    {
        var tenant = await _portal.Services.SetUpFirstOrganizationAsync("Acme Energy", "ada@acme.test");

        await using var scope = _portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = await users.FindByNameAsync("ada@acme.test");
        Assert.NotNull(admin);
        Assert.Equal(tenant.OrganizationId, admin.OrganizationId);
        // Roles live on memberships (docs/decisions/035): Admin of the new organization.
        var db = scope.ServiceProvider.GetRequiredService<IntegrationsPortal.Infrastructure.Data.PortalDbContext>();
        Assert.Equal([(tenant.OrganizationId, PortalRoles.Admin)],
            await db.Memberships.Where(m => m.UserId == admin.Id).Select(m => new ValueTuple<Guid, string>(m.OrganizationId, m.Role)).ToListAsync(TestContext.Current.CancellationToken));
        Assert.True(await users.CheckPasswordAsync(admin, TestPasswords.Strong));
        Assert.True(await scope.ServiceProvider.GetRequiredService<SetupService>().IsSetupCompleteAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SecondSetup_IsRefused_AndCreatesNothing()
    {
        await _portal.Services.SetUpFirstOrganizationAsync();

        var error = await Assert.ThrowsAsync<PortalException>(() => _portal.Services.SetUpFirstOrganizationAsync("Intruder Inc", "mallory@evil.test"));

        Assert.Equal(PortalErrorKind.Conflict, error.Kind);
        await using var db = await OpenDatabaseAsync();
        Assert.Equal(1, await db.Organizations.IgnoreQueryFilters().CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, await db.Users.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Setup_WithWeakPassword_ReportsThePasswordField_AndLeavesNoOrganization()
    {
        await using var scope = _portal.Services.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<SetupService>();

        var error = await Assert.ThrowsAsync<PortalException>(() => setup.CreateFirstAdministratorAsync(new FirstAdministratorInput
        {
            OrganizationName = "Acme",
            DisplayName = "Ada",
            Email = "ada@acme.test",
            // Long enough for the form, but one character repeated: Identity wants 4 different ones.
            Password = "aaaaaaaaaaaaaaaa",
            ConfirmPassword = "aaaaaaaaaaaaaaaa",
        }, TestContext.Current.CancellationToken));

        Assert.Contains("Password", error.FieldErrors.Keys);
        await using var db = await OpenDatabaseAsync();
        Assert.Equal(0, await db.Organizations.IgnoreQueryFilters().CountAsync(TestContext.Current.CancellationToken));
        Assert.False(await setup.IsSetupCompleteAsync(TestContext.Current.CancellationToken));
    }

    // The context's tenant filter reads the scope's user, so the scope lives as long as the test.
    private async Task<PortalDbContext> OpenDatabaseAsync()
    {
        var scope = _portal.Services.CreateAsyncScope();
        _scopes.Add(scope);
        return await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
    }
}

[OnPostgreSQL]
public sealed class SetupServiceOnPostgreSQLTests : SetupServiceTests;
