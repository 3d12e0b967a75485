using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.ApiKeys;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Platform;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Platform;

public class PlatformServiceTests : PortalServicesTest
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<T> AsPlatformAdminAsync<T>(Func<PlatformService, Task<T>> call)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        return await call(scope.ServiceProvider.GetRequiredService<PlatformService>());
    }

    private Task AsPlatformAdminAsync(Func<PlatformService, Task> call) =>
        AsPlatformAdminAsync(async service => { await call(service); return true; });

    [Fact]
    public async Task FirstUser_IsPlatformAdministrator_AndCreatesAnOrganizationListedWithItsCounts()
    {
        var id = await AsPlatformAdminAsync(p => p.CreateOrganizationAsync(new OrganizationInput { Name = "  Globex Water " }, Ct));

        var organizations = await AsPlatformAdminAsync(p => p.ListOrganizationsAsync(Ct));

        var globex = Assert.Single(organizations, o => o.Id == id);
        Assert.Equal("Globex Water", globex.Name);
        Assert.Equal((0, 0, 0, false), (globex.Users, globex.Integrations, globex.DeliveriesToday, globex.IsSuspended));
        var acme = Assert.Single(organizations, o => o.Id == Acme.OrganizationId);
        Assert.Equal(1, acme.Users);
        var admins = await AsPlatformAdminAsync(p => p.ListAdministratorsAsync(Ct));
        Assert.Equal([Acme.AdminEmail], admins.Select(a => a.Email));
    }

    [Fact]
    public async Task OrganizationAdmin_WhoIsNotPlatformAdministrator_IsRefused_AndCreatesNothing()
    {
        var userId = await Portal.Services.AddUserAsync(Acme, "second-admin@acme.test", PortalRoles.Admin);
        await using var scope = Portal.Services.AsUser(Acme.OrganizationId, userId, "second-admin@acme.test", PortalRoles.Admin);
        var platform = scope.ServiceProvider.GetRequiredService<PlatformService>();

        var refusal = await Assert.ThrowsAsync<PortalException>(() => platform.CreateOrganizationAsync(new OrganizationInput { Name = "Rogue" }, Ct));

        Assert.Equal(PortalErrorKind.Forbidden, refusal.Kind);
        Assert.DoesNotContain(await AsPlatformAdminAsync(p => p.ListOrganizationsAsync(Ct)), o => o.Name == "Rogue");
    }

    [Fact]
    public async Task Create_NameOfAnotherOrganizationInOtherCase_IsRefusedOnTheNameField()
    {
        var refusal = await Assert.ThrowsAsync<PortalException>(() =>
            AsPlatformAdminAsync(p => p.CreateOrganizationAsync(new OrganizationInput { Name = "ACME energy" }, Ct)));

        Assert.Equal(["Another organization has this name."], refusal.FieldErrors["Name"]);
    }

    [Fact]
    public async Task Rename_ChangesTheListedName()
    {
        var id = await AsPlatformAdminAsync(p => p.CreateOrganizationAsync(new OrganizationInput { Name = "Initech" }, Ct));

        await AsPlatformAdminAsync(p => p.RenameOrganizationAsync(id, new OrganizationInput { Name = "Initech Utilities" }, Ct));

        Assert.Equal("Initech Utilities", Assert.Single(await AsPlatformAdminAsync(p => p.ListOrganizationsAsync(Ct)), o => o.Id == id).Name);
    }

    [Fact]
    public async Task Suspend_TheOrganizationYouAreSignedInTo_IsRefused()
    {
        var refusal = await Assert.ThrowsAsync<PortalException>(() => AsPlatformAdminAsync(p => p.SuspendOrganizationAsync(Acme.OrganizationId, Ct)));

        Assert.Equal(PortalErrorKind.Conflict, refusal.Kind);
        Assert.False(Assert.Single(await AsPlatformAdminAsync(p => p.ListOrganizationsAsync(Ct)), o => o.Id == Acme.OrganizationId).IsSuspended);
    }

    [Fact]
    public async Task Suspended_Organization_ApiKeysActForNobody_UntilResumed()
    {
        var globex = await Portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        string key;
        await using (var scope = Portal.Services.AsAdmin(globex))
        {
            key = (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(new NewApiKeyInput("Export", ["read"], null), Ct)).Key;
        }

        await AsPlatformAdminAsync(p => p.SuspendOrganizationAsync(globex.OrganizationId, Ct));
        var whileSuspended = await Portal.Services.GetRequiredService<ApiKeyService>().AuthenticateAsync(key, Ct);
        await AsPlatformAdminAsync(p => p.ResumeOrganizationAsync(globex.OrganizationId, Ct));
        var afterResume = await Portal.Services.GetRequiredService<ApiKeyService>().AuthenticateAsync(key, Ct);

        Assert.Null(whileSuspended);
        Assert.Equal(globex.OrganizationId, afterResume?.OrganizationId);
    }

    [Fact]
    public async Task AppointedUser_CanManageOrganizations()
    {
        var userId = await Portal.Services.AddUserAsync(Acme, "viv@acme.test", PortalRoles.Viewer);

        await AsPlatformAdminAsync(p => p.SetAdministratorAsync(new PlatformAdministratorInput { Email = "viv@acme.test" }, appoint: true, Ct));

        await using var scope = Portal.Services.AsUser(Acme.OrganizationId, userId, "viv@acme.test", PortalRoles.Viewer);
        Assert.Contains(await scope.ServiceProvider.GetRequiredService<PlatformService>().ListOrganizationsAsync(Ct), o => o.Id == Acme.OrganizationId);
    }

    [Fact]
    public async Task Appoint_UnknownEmail_IsRefusedOnTheEmailField()
    {
        var refusal = await Assert.ThrowsAsync<PortalException>(() => AsPlatformAdminAsync(p =>
            p.SetAdministratorAsync(new PlatformAdministratorInput { Email = "nobody@acme.test" }, appoint: true, Ct)));

        Assert.Equal(["No account signs in with this email."], refusal.FieldErrors["Email"]);
    }
}

/// <summary>Suspension against the real dispatcher: a suspended organization's messages wait, and go after resume.</summary>
public sealed class SuspendedDeliveryTests
{
    [Fact]
    public async Task Suspended_Organization_SendsNothing_ThenDeliversWhatWaitedAfterResume()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var globex = await harness.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        Guid messageId;
        await using (var scope = harness.Services.AsAdmin(globex))
        {
            var integrationId = await scope.ServiceProvider.GetRequiredService<IntegrationsPortal.Features.Integrations.IntegrationService>()
                .CreateAsync(IntegrationSeeds.Webhook(url: new Uri(receiver.Url, "globex").ToString()), TestContext.Current.CancellationToken);
            messageId = (await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueueAsync(integrationId, "meter.reading", ["""{"reading":1}"""], TestContext.Current.CancellationToken))[0];
        }

        await harness.AsAdminAsync(async sp => { await sp.GetRequiredService<PlatformService>().SuspendOrganizationAsync(globex.OrganizationId); return true; });
        await harness.DispatchAsync();
        var sentWhileSuspended = receiver.Requests.Count;
        await harness.AsAdminAsync(async sp => { await sp.GetRequiredService<PlatformService>().ResumeOrganizationAsync(globex.OrganizationId); return true; });
        await harness.DispatchAsync();

        Assert.Equal(0, sentWhileSuspended);
        Assert.Equal("/globex", Assert.Single(receiver.Requests).Path);
        await using var check = harness.Services.AsAdmin(globex);
        Assert.Equal(DeliveryStatus.Delivered, (await check.ServiceProvider.GetRequiredService<DeliveryService>().GetAsync(messageId, TestContext.Current.CancellationToken)).Message.Status);
    }
}

[OnPostgreSQL]
public sealed class PlatformServiceOnPostgreSQLTests : PlatformServiceTests;
