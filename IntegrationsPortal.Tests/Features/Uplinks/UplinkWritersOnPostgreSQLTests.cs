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

        // And without a deadlock on the way (one in every run until the writer took its rows in one order;
        // the writer's retry hid it from the counts above).
        foreach (var node in nodes)
        {
            await node.Services.GetRequiredService<UplinkStore>().StopAsync(ct);
        }

        Assert.Equal(0, await DeadlocksAsync(ct));
    }

    /// <summary>
    /// The database's deadlocks as PostgreSQL counts them. A session reports its count when it ends, so the
    /// nodes' pooled sessions are closed first and their ends awaited.
    /// </summary>
    private async Task<long> DeadlocksAsync(CancellationToken ct)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var connection = await Portal.OpenDatabaseConnectionAsync(ct);
        async Task<long> ScalarAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        await Eventually.TrueAsync(
            async () => await ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == 0,
            "the nodes' sessions have ended");
        await ScalarAsync("SELECT count(*) FROM (SELECT pg_stat_clear_snapshot()) AS cleared");
        return await ScalarAsync("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }

    private async Task<StoredUplinks> PushAsync(PortalServices node, Guid integrationId, long frame)
    {
        using var document = JsonDocument.Parse(UplinkSamples.ThingsStack(UplinkSamples.Eui, frame));
        var uplinks = node.Services.GetRequiredService<UplinkFormats>().For(TypeKeys.ThingsStackUplinks)!.Parse(document.RootElement.Clone(), QueryCollection.Empty);
        return await node.Services.GetRequiredService<UplinkStore>().StoreAsync(Acme.OrganizationId, integrationId, uplinks, TestContext.Current.CancellationToken);
    }
}
