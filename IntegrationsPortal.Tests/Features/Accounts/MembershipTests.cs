using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Accounts.Invitations;
using IntegrationsPortal.Features.Platform;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Accounts;

/// <summary>Memberships in several organizations, the last-Admin rule, and invitations, on a real SQLite file.</summary>
public class MembershipTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly ScopeList _scopes = new();
    private PortalServices _portal = default!;
    private Tenant _acme = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalServices.StartAsync(builder => builder.Services.AddSingleton<TimeProvider>(_clock));
        _acme = await _portal.Services.SetUpFirstOrganizationAsync("Acme Energy", "admin@acme.test");
    }

    public async ValueTask DisposeAsync()
    {
        _scopes.Dispose();
        await _portal.DisposeAsync();
    }

    private sealed class ScopeList : IDisposable
    {
        private readonly List<IServiceScope> _scopes = [];

        public IServiceScope Add(IServiceScope scope)
        {
            _scopes.Add(scope);
            return scope;
        }

        public void Dispose() => _scopes.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task LastAdmin_CannotBeDemotedOrRemoved_WithAClearError_AndStaysAdmin()
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        var settings = scope.ServiceProvider.GetRequiredService<SettingsService>();

        var demote = await Assert.ThrowsAsync<PortalException>(() => settings.ChangeRoleAsync(_acme.AdminUserId, PortalRoles.Viewer, Ct));
        var leave = await Assert.ThrowsAsync<PortalException>(() => settings.RemoveMemberAsync(_acme.AdminUserId, Ct));

        Assert.Equal(PortalErrorKind.Conflict, demote.Kind);
        Assert.Contains("last administrator", demote.Message, StringComparison.Ordinal);
        Assert.Equal("You cannot leave as the last administrator; make someone else an Admin first.", leave.Message);
        Assert.Equal(PortalRoles.Admin, Assert.Single(await settings.ListUsersAsync(Ct), u => u.Id == _acme.AdminUserId).Role);
    }

    [Fact]
    public async Task UserInTwoOrganizations_HasARoleInEach_AndARoleChangeInOneLeavesTheOther()
    {
        var olga = await _portal.Services.AddUserAsync(_acme, "olga@acme.test", PortalRoles.Operator);
        var (globex, link) = await CreateOrganizationWithInvitationAsync("Globex", "olga@acme.test");
        await AcceptAsExistingAsync(link, olga);

        await using (var acme = _portal.Services.AsAdmin(_acme))
        {
            await acme.ServiceProvider.GetRequiredService<SettingsService>().ChangeRoleAsync(olga, PortalRoles.Viewer, Ct);
        }

        Assert.Equal(PortalRoles.Viewer, await RoleInAsync(_acme.OrganizationId, olga));
        Assert.Equal(PortalRoles.Admin, await RoleInAsync(globex, olga));
        await using var asOlgaInGlobex = _portal.Services.AsUser(globex, olga, "olga@acme.test", PortalRoles.Admin);
        var globexUsers = await asOlgaInGlobex.ServiceProvider.GetRequiredService<SettingsService>().ListUsersAsync(Ct);
        Assert.Equal(["olga@acme.test"], globexUsers.Select(u => u.Email));
    }

    [Fact]
    public async Task RemovedMember_IsNoLongerListed_AndSignsInToTheirOtherOrganization()
    {
        var olga = await _portal.Services.AddUserAsync(_acme, "olga@acme.test", PortalRoles.Operator);
        var (globex, link) = await CreateOrganizationWithInvitationAsync("Globex", "olga@acme.test");
        await AcceptAsExistingAsync(link, olga);

        await using (var acme = _portal.Services.AsAdmin(_acme))
        {
            var settings = acme.ServiceProvider.GetRequiredService<SettingsService>();
            await settings.RemoveMemberAsync(olga, Ct);
            Assert.DoesNotContain(await settings.ListUsersAsync(Ct), u => u.Id == olga);
            Assert.Contains(await settings.ListAuditAsync(ct: Ct), a => a.Action == "user.removed" && a.Details.Contains("olga@acme.test", StringComparison.Ordinal));
        }

        await using var scope = _portal.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == olga, Ct);
        user.OrganizationId = _acme.OrganizationId;
        Assert.Equal(globex, await db.SignInOrganizationAsync(user, Ct));
    }

    [Fact]
    public async Task Invitation_IsStoredOnlyAsTheHashOfItsLink()
    {
        var issued = await InviteAsync("nina@example.test", PortalRoles.Operator);
        var token = issued.Link["/invitations/".Length..];

        await using var scope = _portal.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var row = await db.Invitations.AsNoTracking().SingleAsync(i => i.Id == issued.Id, Ct);
        Assert.Equal(Invitation.Hash(token), row.TokenHash);
        Assert.True(token.Length >= 43, "32 random bytes");
        // Nowhere in the database (on SQLite its files, the write-ahead log included), where the same search
        // does find the invitee's address.
        Assert.True(await _portal.StoredAnywhereAsync("nina@example.test", Ct));
        Assert.False(await _portal.StoredAnywhereAsync(token, Ct));
    }

    [Fact]
    public async Task Invitation_WorksOnce()
    {
        var issued = await InviteAsync("nina@example.test", PortalRoles.Operator);
        var invitations = Anonymous().ServiceProvider.GetRequiredService<InvitationService>();
        var user = await invitations.AcceptWithNewAccountAsync(Token(issued), NewAccount(), Ct);

        var again = await Assert.ThrowsAsync<PortalException>(() => invitations.AcceptAsExistingAccountAsync(Token(issued), user.Id, Ct));

        Assert.Equal(PortalErrorKind.Conflict, again.Kind);
        Assert.Contains("not valid any more", again.Message, StringComparison.Ordinal);
        Assert.Null(await invitations.FindAsync(Token(issued), Ct));
        Assert.Equal(PortalRoles.Operator, await RoleInAsync(_acme.OrganizationId, user.Id));
    }

    [Fact]
    public async Task Invitation_ExpiresAfterSevenDays()
    {
        var early = await InviteAsync("early@example.test", PortalRoles.Viewer);
        var late = await InviteAsync("late@example.test", PortalRoles.Viewer);
        var invitations = Anonymous().ServiceProvider.GetRequiredService<InvitationService>();

        _clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await invitations.AcceptWithNewAccountAsync(Token(early), NewAccount(), Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var expired = await Assert.ThrowsAsync<PortalException>(() => invitations.AcceptWithNewAccountAsync(Token(late), NewAccount(), Ct));

        Assert.Contains("not valid any more", expired.Message, StringComparison.Ordinal);
        await using var scope = _portal.Services.AsAdmin(_acme);
        var users = await scope.ServiceProvider.GetRequiredService<SettingsService>().ListUsersAsync(Ct);
        Assert.Contains(users, u => u.Email == "early@example.test");
        Assert.DoesNotContain(users, u => u.Email == "late@example.test");
    }

    [Fact]
    public async Task Invite_AnswersAlike_WhetherOrNotTheEmailHasAnAccountElsewhere()
    {
        var (_, link) = await CreateOrganizationWithInvitationAsync("Globex", "boss@globex.test");
        await Anonymous().ServiceProvider.GetRequiredService<InvitationService>().AcceptWithNewAccountAsync(link["/invitations/".Length..], NewAccount(), Ct);

        var existing = await InviteAsync("boss@globex.test", PortalRoles.Viewer);
        var unknown = await InviteAsync("nobody@globex.test", PortalRoles.Viewer);

        Assert.Equal((existing.Role, existing.ExpiresAt, existing.Link.Length), (unknown.Role, unknown.ExpiresAt, unknown.Link.Length));
        await using var scope = _portal.Services.AsAdmin(_acme);
        var pending = await scope.ServiceProvider.GetRequiredService<InvitationService>().ListPendingAsync(Ct);
        Assert.Equal(["boss@globex.test", "nobody@globex.test"], pending.Select(p => p.Email));
    }

    [Fact]
    public async Task Accepting_WithACommonPassword_IsRefusedAtThePasswordField_AndCreatesNothing()
    {
        var issued = await InviteAsync("nina@example.test", PortalRoles.Operator);
        var invitations = Anonymous().ServiceProvider.GetRequiredService<InvitationService>();

        var error = await Assert.ThrowsAsync<PortalException>(() => invitations.AcceptWithNewAccountAsync(Token(issued),
            new NewAccountInput { DisplayName = "Nina", Password = "098765432109", ConfirmPassword = "098765432109" }, Ct));

        Assert.True(error.FieldErrors.ContainsKey(nameof(NewAccountInput.Password)));
        Assert.NotNull(await invitations.FindAsync(Token(issued), Ct));
        await using var scope = _portal.Services.AsAdmin(_acme);
        Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<SettingsService>().ListUsersAsync(Ct), u => u.Email == "nina@example.test");
    }

    [Fact]
    public async Task InvitationCreatedAcceptedAndRevoked_AreAuditEntries()
    {
        var accepted = await InviteAsync("nina@example.test", PortalRoles.Operator);
        var revoked = await InviteAsync("rolf@example.test", PortalRoles.Viewer);
        await Anonymous().ServiceProvider.GetRequiredService<InvitationService>().AcceptWithNewAccountAsync(Token(accepted), NewAccount(), Ct);

        await using var scope = _portal.Services.AsAdmin(_acme);
        await scope.ServiceProvider.GetRequiredService<InvitationService>().RevokeAsync(revoked.Id, Ct);
        var audit = await scope.ServiceProvider.GetRequiredService<SettingsService>().ListAuditAsync(ct: Ct);

        Assert.Contains(audit, a => a.Action == "invitation.created" && a.Details == "Invited nina@example.test as Operator.");
        Assert.Contains(audit, a => a.Action == "invitation.accepted" && a.Actor == "nina@example.test");
        Assert.Contains(audit, a => a.Action == "invitation.revoked" && a.Details.Contains("rolf@example.test", StringComparison.Ordinal));
        Assert.Null(await scope.ServiceProvider.GetRequiredService<InvitationService>().FindAsync(Token(revoked), Ct));
    }

    /// <summary>A scope with nobody signed in, as the invitation page has; disposed with the test's portal.</summary>
    private IServiceScope Anonymous() => _scopes.Add(_portal.Services.CreateScope());

    private static string Token(IssuedInvitation issued) => issued.Link["/invitations/".Length..];

    private static NewAccountInput NewAccount() =>
        new() { DisplayName = "Nina", Password = TestPasswords.Strong, ConfirmPassword = TestPasswords.Strong };

    private async Task<IssuedInvitation> InviteAsync(string email, string role)
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        return await scope.ServiceProvider.GetRequiredService<InvitationService>().InviteAsync(new InvitationInput { Email = email, Role = role }, Ct);
    }

    /// <summary>As the Platform page does it: a new organization and the invitation of its first Admin.</summary>
    private async Task<(Guid Organization, string Link)> CreateOrganizationWithInvitationAsync(string name, string adminEmail)
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        var platform = scope.ServiceProvider.GetRequiredService<PlatformService>();
        var id = await platform.CreateOrganizationAsync(new OrganizationInput { Name = name }, Ct);
        var issued = await platform.InviteAdministratorAsync(id, new PlatformInvitationInput { Email = adminEmail }, Ct);
        return (id, issued.Link);
    }

    private async Task AcceptAsExistingAsync(string link, string userId) =>
        await Anonymous().ServiceProvider.GetRequiredService<InvitationService>().AcceptAsExistingAccountAsync(link["/invitations/".Length..], userId, Ct);

    private async Task<string?> RoleInAsync(Guid organizationId, string userId)
    {
        await using var scope = _portal.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.Memberships.Where(m => m.OrganizationId == organizationId && m.UserId == userId).Select(m => m.Role).SingleOrDefaultAsync(Ct);
    }
}

[OnPostgreSQL]
public sealed class MembershipOnPostgreSQLTests : MembershipTests;
