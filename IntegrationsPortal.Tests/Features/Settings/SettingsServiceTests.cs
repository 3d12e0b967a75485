using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Settings;

public class SettingsServiceTests : IAsyncLifetime
{
    private PortalServices _portal = default!;
    private Tenant _acme = default!;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        _acme = await _portal.Services.SetUpFirstOrganizationAsync("Acme Energy", "admin@acme.test");
    }

    public ValueTask DisposeAsync() => _portal.DisposeAsync();

    [Fact]
    public async Task Admin_AddsUser_WhoIsListedWithTheRole_AndAudited()
    {
        await _portal.Services.AddUserAsync(_acme, "olga@acme.test", PortalRoles.Operator);

        await using var scope = AsAdmin();
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();
        var olga = Assert.Single(await settings.ListUsersAsync(TestContext.Current.CancellationToken), u => u.Email == "olga@acme.test");
        Assert.Equal(PortalRoles.Operator, olga.Role);
        Assert.Contains(await settings.ListAuditAsync(ct: TestContext.Current.CancellationToken),
            a => a.Action == "user.created" && a.Details.Contains("olga@acme.test", StringComparison.Ordinal) && a.Actor == "admin@acme.test");
    }

    [Theory]
    [InlineData(PortalRoles.Viewer)]
    [InlineData(PortalRoles.Operator)]
    public async Task NonAdmin_CannotAddUsers_EvenCallingTheServiceDirectly(string role)
    {
        var id = await _portal.Services.AddUserAsync(_acme, "someone@acme.test", role);
        await using var scope = _portal.Services.AsUser(_acme.OrganizationId, id, "someone@acme.test", role);
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();

        var error = await Assert.ThrowsAsync<PortalException>(() => settings.CreateUserAsync(NewUser("x@acme.test", PortalRoles.Admin), TestContext.Current.CancellationToken));

        Assert.Equal(PortalErrorKind.Forbidden, error.Kind);
        await using var admin = AsAdmin();
        Assert.DoesNotContain(await admin.ServiceProvider.GetRequiredService<SettingsService>().ListUsersAsync(TestContext.Current.CancellationToken),
            u => u.Email == "x@acme.test");
    }

    [Fact]
    public async Task Viewer_CanReadTheOrganization_ButNotRenameIt()
    {
        var id = await _portal.Services.AddUserAsync(_acme, "vera@acme.test", PortalRoles.Viewer);
        await using var scope = _portal.Services.AsUser(_acme.OrganizationId, id, "vera@acme.test", PortalRoles.Viewer);
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();

        Assert.Equal("Acme Energy", (await settings.GetOrganizationAsync(TestContext.Current.CancellationToken)).Name);
        var error = await Assert.ThrowsAsync<PortalException>(() => settings.RenameOrganizationAsync(new OrganizationInput { Name = "Vera Corp" }, TestContext.Current.CancellationToken));
        Assert.Equal(PortalErrorKind.Forbidden, error.Kind);
        Assert.Equal("Acme Energy", (await settings.GetOrganizationAsync(TestContext.Current.CancellationToken)).Name);
    }

    [Fact]
    public async Task AddUser_WithBadFields_ReportsEachField_AndAddsNobody()
    {
        await using var scope = AsAdmin();
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();

        var error = await Assert.ThrowsAsync<PortalException>(() => settings.CreateUserAsync(new NewUserInput
        {
            DisplayName = "",
            Email = "not-an-email",
            Role = "Superuser",
            Password = "short",
        }, TestContext.Current.CancellationToken));

        Assert.Equal(PortalErrorKind.Validation, error.Kind);
        Assert.Equal(["DisplayName", "Email", "Password", "Role"], error.FieldErrors.Keys.Order());
        Assert.Single(await settings.ListUsersAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AddUser_WithTakenEmail_IsRefusedOnTheEmailField()
    {
        await using var scope = AsAdmin();
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();

        var error = await Assert.ThrowsAsync<PortalException>(() => settings.CreateUserAsync(NewUser("admin@acme.test", PortalRoles.Viewer), TestContext.Current.CancellationToken));

        Assert.Contains("Email", error.FieldErrors.Keys);
        Assert.Single(await settings.ListUsersAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task LastAdministrator_CannotBeDemotedOrDisabled()
    {
        var operatorId = await _portal.Services.AddUserAsync(_acme, "olga@acme.test", PortalRoles.Operator);
        await using var scope = AsAdmin();
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();

        var demote = await Assert.ThrowsAsync<PortalException>(() => settings.ChangeRoleAsync(_acme.AdminUserId, PortalRoles.Viewer, TestContext.Current.CancellationToken));
        var disableSelf = await Assert.ThrowsAsync<PortalException>(() => settings.SetDisabledAsync(_acme.AdminUserId, true, TestContext.Current.CancellationToken));

        Assert.Equal(PortalErrorKind.Conflict, demote.Kind);
        Assert.Equal(PortalErrorKind.Conflict, disableSelf.Kind);
        Assert.Equal(PortalRoles.Admin, (await settings.ListUsersAsync(TestContext.Current.CancellationToken)).Single(u => u.Id == _acme.AdminUserId).Role);

        // With a second admin, the first may step down.
        await settings.ChangeRoleAsync(operatorId, PortalRoles.Admin, TestContext.Current.CancellationToken);
        await settings.ChangeRoleAsync(_acme.AdminUserId, PortalRoles.Viewer, TestContext.Current.CancellationToken);
        Assert.Equal(PortalRoles.Viewer, (await settings.ListUsersAsync(TestContext.Current.CancellationToken)).Single(u => u.Id == _acme.AdminUserId).Role);
    }

    [Fact]
    public async Task Organizations_NeverSeeEachOthersUsersOrAuditLog()
    {
        var globex = await _portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        await _portal.Services.AddUserAsync(_acme, "olga@acme.test", PortalRoles.Operator);

        await using var scope = _portal.Services.AsUser(globex.OrganizationId, globex.AdminUserId, globex.AdminEmail, PortalRoles.Admin);
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();

        var users = await settings.ListUsersAsync(TestContext.Current.CancellationToken);
        var audit = await settings.ListAuditAsync(ct: TestContext.Current.CancellationToken);
        Assert.Equal(["boss@globex.test"], users.Select(u => u.Email));
        Assert.NotEmpty(audit);
        Assert.DoesNotContain(audit, a => a.Details.Contains("acme", StringComparison.OrdinalIgnoreCase));
        // Another organization's user is "not found", not a way to probe ids.
        var error = await Assert.ThrowsAsync<PortalException>(() => settings.ChangeRoleAsync(_acme.AdminUserId, PortalRoles.Viewer, TestContext.Current.CancellationToken));
        Assert.Equal(PortalErrorKind.NotFound, error.Kind);
    }

    private AsyncServiceScope AsAdmin() => _portal.Services.AsAdmin(_acme);

    private static NewUserInput NewUser(string email, string role) =>
        new() { DisplayName = "New person", Email = email, Role = role, Password = TestPasswords.Strong };
}

[OnPostgreSQL]
public sealed class SettingsServiceOnPostgreSQLTests : SettingsServiceTests;
