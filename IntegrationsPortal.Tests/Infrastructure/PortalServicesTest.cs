namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>A test class whose every test gets the real services on a fresh SQLite file, set up with one organization.</summary>
public abstract class PortalServicesTest : IAsyncLifetime
{
    protected PortalServices Portal { get; private set; } = default!;

    protected Tenant Acme { get; private set; } = default!;

    /// <summary>Configuration for the portal under test (vault keys, say).</summary>
    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    public virtual async ValueTask InitializeAsync()
    {
        Portal = await PortalServices.StartAsync(Settings);
        Acme = await Portal.Services.SetUpFirstOrganizationAsync();
    }

    public virtual ValueTask DisposeAsync() => Portal.DisposeAsync();
}
