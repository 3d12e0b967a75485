using System.Globalization;
using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Uplinks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Uplinks;

/// <summary>
/// SQLite's write-ahead log under a steady push: the writer never checkpoints itself, so without a limit
/// the "-wal" file grew for as long as the push lasted (docs/decisions/028). SQLite only: PostgreSQL
/// has no such file and checkpoints by itself.
/// </summary>
public sealed class UplinkWalTests : PortalServicesTest
{
    private const int LimitMegabytes = 1;
    private const int Senders = 8;

    // Enough to write tens of megabytes of WAL: many devices' uplinks touch scattered index pages.
    private const int Uplinks = 3000;

    protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        [$"{UplinkOptions.Section}:{nameof(UplinkOptions.SqliteWalLimitMegabytes)}"] = LimitMegabytes.ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task SteadyPushOfManyDevices_KeepsTheWalFileNearItsLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        // The host is built but not run: the store's writer is started as the app would.
        await Portal.Services.GetRequiredService<UplinkStore>().StartAsync(ct);
        var id = await Portal.Services.CreateIntegrationAsync(Acme, new CreateIntegrationInput { TypeKey = TypeKeys.ThingsStackUplinks, Name = "Plant TTS" });
        string wal;
        await using (var connection = await Portal.OpenDatabaseConnectionAsync(ct))
        {
            wal = connection.DataSource + "-wal";
        }

        long largest = 0;
        var gate = new Lock();
        var next = -1;
        async Task SendAsync()
        {
            for (var n = Interlocked.Increment(ref next); n < Uplinks; n = Interlocked.Increment(ref next))
            {
                await PushAsync(id, n);
                var bytes = WalBytes(wal);
                lock (gate)
                {
                    largest = Math.Max(largest, bytes);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(SendAsync, ct)));

        var limit = LimitMegabytes * 1024L * 1024L;
        TestContext.Current.SendDiagnosticMessage($"largest WAL during the push: {largest:N0} bytes; after: {WalBytes(wal):N0}");
        Assert.True(largest < 8 * limit, $"The WAL file reached {largest:N0} bytes with a limit of {limit:N0}.");
    }

    private static long WalBytes(string wal)
    {
        var file = new FileInfo(wal);
        return file.Exists ? file.Length : 0;
    }

    private async Task PushAsync(Guid integrationId, int n)
    {
        // A device per uplink, as a network of many devices sends them: each lands on index pages of its own.
        var eui = ((ulong)n * 0x9E3779B97F4A7C15UL).ToString("X16", CultureInfo.InvariantCulture);
        using var document = JsonDocument.Parse(UplinkSamples.ThingsStack(eui, n));
        var uplinks = Portal.Services.GetRequiredService<UplinkFormats>().For(TypeKeys.ThingsStackUplinks)!.Parse(document.RootElement.Clone(), QueryCollection.Empty);
        await Portal.Services.GetRequiredService<UplinkStore>().StoreAsync(Acme.OrganizationId, integrationId, uplinks, TestContext.Current.CancellationToken);
    }
}
