using System.Net.Http.Headers;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Uplinks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Uplinks;

/// <summary>
/// One portal per uplink test class, with a rate limit small enough to reach (6 at once, then
/// 1 a second per integration). Each test makes its own integration, so their limits do not meet.
/// A class fixture, not a collection's: it is made while its class is the test context's, so a class
/// marked <see cref="OnPostgreSQLAttribute"/> gets a PostgreSQL database of its own (see TempDirectory).
/// </summary>
public sealed class UplinkPortalFixture : IAsyncLifetime
{
    public const int Burst = 6;

    private readonly PortalAppFactory _factory = new();

    public WebApplicationFactory<Program> App { get; private set; } = default!;

    public Tenant Acme { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        App = _factory.WithWebHostBuilder(web => web
            .UseSetting($"{UplinkOptions.Section}:{nameof(UplinkOptions.Burst)}", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .UseSetting($"{UplinkOptions.Section}:{nameof(UplinkOptions.PermitsPerSecond)}", "1"));
        Acme = await App.Services.SetUpFirstOrganizationAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _factory.DisposeAsync();
    }

    /// <summary>An active uplink integration of <paramref name="typeKey"/> and its first token.</summary>
    public async Task<(Guid Id, string Token)> ActiveIntegrationAsync(string typeKey)
    {
        var id = await App.Services.CreateIntegrationAsync(Acme, new CreateIntegrationInput { TypeKey = typeKey, Name = $"Uplinks {Guid.NewGuid():N}" });
        var detail = await App.Services.WaitUntilVerifiedAsync(Acme, id);
        Assert.Equal(IntegrationStatus.Active, detail.Status);
        return (id, await IssueTokenAsync(id));
    }

    public async Task<string> IssueTokenAsync(Guid integrationId)
    {
        await using var scope = App.Services.AsAdmin(Acme);
        return (await scope.ServiceProvider.GetRequiredService<UplinkTokens>().IssueAsync(integrationId)).Token;
    }

    /// <summary>A new device, and its stable path (where its readings are kept).</summary>
    public async Task<(Guid DeviceId, string ResourcePath, string MappingPath)> DeviceAsync(string name)
    {
        await using var scope = App.Services.AsAdmin(Acme);
        var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        var site = await places.CreatePlaceAsync(new PlaceInput { Name = $"Site {Guid.NewGuid():N}" });
        var device = await devices.CreateDeviceAsync(new DeviceInput { Name = name, PlaceId = site, DeviceType = "sensor" });
        return (device, MappedResources.StablePath(ResourceKind.Device, device), ResourcePath.ForDevice(site, device));
    }

    public async Task MapAsync(Guid integrationId, string externalId, string mappingPath)
    {
        await using var scope = App.Services.AsAdmin(Acme);
        await scope.ServiceProvider.GetRequiredService<ResourceMappingService>()
            .CreateAsync(integrationId, new MappingInput { ExternalId = externalId, ResourcePath = mappingPath });
    }

    public async Task<HttpResponseMessage> PostAsync(Guid integrationId, string? token, string body, string header = "bearer", string query = "")
    {
        using var client = App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, UplinksExtensions.EndpointPath(integrationId) + query)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (token is not null && header == "bearer")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (token is not null)
        {
            request.Headers.Add(header, token);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async Task<T> QueryAsync<T>(Func<IServiceProvider, Task<T>> query)
    {
        await using var scope = App.Services.AsAdmin(Acme);
        return await query(scope.ServiceProvider);
    }
}
