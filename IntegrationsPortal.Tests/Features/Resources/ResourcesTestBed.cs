using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Resources;

/// <summary>Hand-written stand-in for the Integrations feature: integrations exist when listed here.</summary>
public sealed class FakeIntegrationRules : IIntegrationResourceRules
{
    public Dictionary<Guid, MappingRules> Integrations { get; } = [];

    public Task<MappingRules?> GetRulesAsync(Guid integrationId, CancellationToken ct) =>
        Task.FromResult(Integrations.GetValueOrDefault(integrationId));
}

/// <summary>
/// A migrated portal with Acme set up, and the Resources services built for a user's scope (the
/// services are constructed here, so a test can hand the mapping service its own rules). Service tests
/// derive from it; component tests (which derive from bunit's context) hold one.
/// </summary>
public class ResourcesTestBed : IAsyncLifetime
{
    public PortalServices Portal { get; private set; } = default!;

    public Tenant Acme { get; private set; } = default!;

    public FakeIntegrationRules Rules { get; } = new();

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Portal = await PortalServices.StartAsync();
        Acme = await Portal.Services.SetUpFirstOrganizationAsync("Acme Energy", "admin@acme.test");
    }

    public ValueTask DisposeAsync() => Portal.DisposeAsync();

    /// <summary>The Resources services acting as a user of <paramref name="tenant"/> (Acme's admin by default).</summary>
    public ResourcesAs As(Tenant? tenant = null, string role = PortalRoles.Admin)
    {
        tenant ??= Acme;
        var scope = Portal.Services.AsUser(tenant.OrganizationId, tenant.AdminUserId, tenant.AdminEmail, role);
        return new ResourcesAs(scope, Rules);
    }

    /// <summary>Creates a place as Acme's admin and returns its id.</summary>
    public async Task<Guid> PlaceAsync(string name, Guid? parentId = null, Tenant? tenant = null)
    {
        await using var r = As(tenant);
        return await r.Places.CreatePlaceAsync(new PlaceInput { Name = name, ParentId = parentId, TimeZone = "Europe/Berlin" }, Ct);
    }

    public async Task<Guid> DeviceAsync(string name, Guid placeId, string type = "meter", string? serial = null, Tenant? tenant = null)
    {
        await using var r = As(tenant);
        return await r.Devices.CreateDeviceAsync(new DeviceInput { Name = name, PlaceId = placeId, DeviceType = type, SerialNumber = serial }, Ct);
    }
}

public sealed class ResourcesAs(AsyncServiceScope scope, IIntegrationResourceRules rules) : IAsyncDisposable
{
    public PlaceService Places { get; } = ActivatorUtilities.CreateInstance<PlaceService>(scope.ServiceProvider);

    public DeviceService Devices { get; } = ActivatorUtilities.CreateInstance<DeviceService>(scope.ServiceProvider);

    public DeviceCsvImport DeviceImport { get; } = ActivatorUtilities.CreateInstance<DeviceCsvImport>(scope.ServiceProvider);

    public ResourcePathService Paths { get; } = ActivatorUtilities.CreateInstance<ResourcePathService>(scope.ServiceProvider);

    public ResourceMappingService Mappings { get; } = ActivatorUtilities.CreateInstance<ResourceMappingService>(scope.ServiceProvider, rules);

    /// <summary>The scope's other services (readings, for components that show them).</summary>
    public IServiceProvider Services => scope.ServiceProvider;

    public ValueTask DisposeAsync() => scope.DisposeAsync();
}
