using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Features.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

/// <summary>
/// The portal for the published APIs' tests: a generous per-key limit, the providers' fakes on
/// loopback for verification, and an organization of its own for each test that asks (so one
/// provider per tenant never clashes between tests, and two tenants show isolation).
/// </summary>
public sealed class ProgramApiFixture : IAsyncLifetime
{
    private int _tenants;

    public PortalAppFactory App { get; } = new() { Settings = new() { ["Portal:Api:PermitsPerWindow"] = "100000" } };

    public FakeProviders Providers { get; private set; } = default!;

    /// <summary>Twilio's and Plivo's sending APIs, for operations that are delivered.</summary>
    public FakeMessagingProviders Messaging { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Providers = await FakeProviders.StartAsync();
        Messaging = await FakeMessagingProviders.StartAsync();
        await App.Services.SetUpFirstOrganizationAsync();
    }

    /// <summary>A new organization with a read-and-write key and a read-only key.</summary>
    public async Task<ProgramTenant> NewTenantAsync()
    {
        var n = Interlocked.Increment(ref _tenants);
        var tenant = await App.Services.CreateOrganizationAsync($"Tenant {n}", $"admin{n}@tenant{n}.test");
        await using var scope = App.Services.AsAdmin(tenant);
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
        var write = await keys.CreateAsync(new NewApiKeyInput("Provisioner", ["read", "write"], null));
        var read = await keys.CreateAsync(new NewApiKeyInput("Dashboard", ["read"], null));
        return new ProgramTenant(this, tenant, write.Key, read.Key);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Providers.DisposeAsync();
        await Messaging.DisposeAsync();
    }
}

public sealed record ProgramTenant(ProgramApiFixture Portal, Tenant Tenant, string WriteKey, string ReadKey)
{
    /// <summary>A client for /api/v1: the key as a bearer token.</summary>
    public HttpClient V1(bool write = true)
    {
        var client = Portal.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", write ? WriteKey : ReadKey);
        return client;
    }

    /// <summary>A client for /v2: the key in X-Api-Key.</summary>
    public HttpClient V2(bool write = true)
    {
        var client = Portal.App.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyDefaults.V2Header, write ? WriteKey : ReadKey);
        return client;
    }

    /// <summary>The organization's audit log, as its administrator reads it.</summary>
    public async Task<JsonElement> AuditAsync()
    {
        using var admin = await Portal.App.SignedInClientAsync(Tenant.AdminEmail);
        return await admin.GetFromJsonAsync<JsonElement>("/api/audit?take=500", TestContext.Current.CancellationToken);
    }
}
