using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>A stored uplink of a mapped device, as flows get it: the uplink as sent (capped) is the flow's input.</summary>
public sealed record FedUplink(Guid OrganizationId, Guid IntegrationId, string ResourcePath, DateTimeOffset ReceivedAt, string DedupKey, string Body)
{
    /// <summary>Readings are what <see cref="IReadingsObserver"/>s match sources on: one per uplink, metric "uplink".</summary>
    public const string Metric = "uplink";

    /// <summary>
    /// The uplink as one reading. Its value is taken from the dedup key, so the flow run made from it
    /// (whose id hashes the reading) is the same for the same uplink and differs for two uplinks of a
    /// device received at the same instant.
    /// </summary>
    public NewReading AsReading() =>
        new(ResourcePath, Metric, ReceivedAt, BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(DedupKey)), 0), "");
}

/// <summary>
/// Hands committed uplinks to the same observers a pull's readings go to (flows), after the endpoint
/// has answered: the writer only queues them, so flows never slow the 202. Uplinks queued when the
/// process stops are not fed (they are stored; docs/decisions/024-uplink-ui-and-flows.md).
/// </summary>
public sealed class UplinkFlowFeed(IServiceScopeFactory scopes, ILogger<UplinkFlowFeed> logger) : BackgroundService
{
    /// <summary>
    /// How long the feed lets uplinks gather after a round. Each round costs a scope, the observers and their
    /// query for the deployed flows even when no flow matches; run once per write batch it took 9 % of the
    /// process's CPU under a steady push (benchmarks/README.md, 2026-12-03), now once per interval at most.
    /// Real time, not the TimeProvider: it paces work, it decides nothing, and tests that freeze the clock still get their flows.
    /// </summary>
    private static readonly TimeSpan GatherFor = TimeSpan.FromMilliseconds(100);

    private readonly Channel<IReadOnlyList<FedUplink>> _queue = Channel.CreateUnbounded<IReadOnlyList<FedUplink>>(new UnboundedChannelOptions { SingleReader = true });

    public void Feed(IReadOnlyList<FedUplink> uplinks)
    {
        if (uplinks.Count > 0)
        {
            _queue.Writer.TryWrite(uplinks);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new List<FedUplink>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // Whatever queued while the last batch ran goes in one call per integration.
                while (_queue.Reader.TryRead(out var next))
                {
                    pending.AddRange(next);
                }

                foreach (var group in pending.GroupBy(u => (u.OrganizationId, u.IntegrationId)))
                {
                    await ObserveAsync(group.Key.OrganizationId, group.Key.IntegrationId, group.ToList(), stoppingToken);
                }

                pending.Clear();
                await Task.Delay(GatherFor, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task ObserveAsync(Guid organizationId, Guid integrationId, List<FedUplink> uplinks, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
            var written = new WrittenReadings(integrationId, IngestionKind.Pull, uplinks.Select(u => u.AsReading()).ToList())
            {
                Messages = uplinks.Select(u => u.Body).ToList(),
            };
            foreach (var observer in scope.ServiceProvider.GetServices<IReadingsObserver>())
            {
                await observer.ReadingsWrittenAsync(written, ct);
            }
        }
#pragma warning disable CA1031 // One failing flow batch must not stop the feed of the next uplinks.
        catch (Exception error) when (error is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.LogError(error, "Flows did not run on {Count} uplinks of integration {IntegrationId}.", uplinks.Count, integrationId);
        }
    }
}
