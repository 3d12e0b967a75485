using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Uplinks;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Uplinks;

/// <summary>
/// Two portal nodes on one PostgreSQL database, each with its uplink writer, receiving the same uplinks at
/// once (a network retrying through the load balancer to the other node). SQLite has one node: not run there.
/// </summary>
[OnPostgreSQL]
public sealed class UplinkWritersOnPostgreSQLTests : PortalServicesTest
{
    private const int Frames = 60;

    [Fact]
    public async Task SameUplinksPushedToTwoNodesAtOnce_AreStoredOnce_AndTheUnmappedDeviceCountsEachOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var second = await PortalServices.StartAsync(directory: Portal.Files);
        var id = await Portal.Services.CreateIntegrationAsync(Acme, new CreateIntegrationInput { TypeKey = TypeKeys.ThingsStackUplinks, Name = "Plant TTS" });
        PortalServices[] nodes = [Portal, second];
        foreach (var node in nodes)
        {
            // The host is built but not run: the writer is started as the app would.
            await node.Services.GetRequiredService<UplinkStore>().StartAsync(ct);
        }

        var results = await Task.WhenAll(Enumerable.Range(1, Frames).SelectMany(frame => nodes.Select(node => Task.Run(() => PushAsync(node, id, frame), ct))));

        Assert.Equal((Frames, Frames), (results.Sum(r => r.Stored), results.Sum(r => r.Duplicates)));
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        Assert.Equal(Frames, await db.Set<Uplink>().CountAsync(u => u.IntegrationId == id, ct));
        var unmapped = Assert.Single(await scope.ServiceProvider.GetRequiredService<UplinkQueries>().UnmappedAsync(id, ct));
        Assert.Equal((UplinkSamples.Eui, (long)Frames), (unmapped.DeviceEui, unmapped.Count));
    }

    private async Task<StoredUplinks> PushAsync(PortalServices node, Guid integrationId, long frame)
    {
        using var document = JsonDocument.Parse(UplinkSamples.ThingsStack(UplinkSamples.Eui, frame));
        var uplinks = node.Services.GetRequiredService<UplinkFormats>().For(TypeKeys.ThingsStackUplinks)!.Parse(document.RootElement.Clone(), QueryCollection.Empty);
        return await node.Services.GetRequiredService<UplinkStore>().StoreAsync(Acme.OrganizationId, integrationId, uplinks, TestContext.Current.CancellationToken);
    }
}
