using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Infrastructure.Events;

/// <summary>
/// The one seam through which the features' in-process events (IntegrationEvents, DeliveryEvents, ...)
/// reach the open pages of every node. An events class registers each kind of change it publishes once
/// and publishes through the delegate it gets back: that runs this node's handlers at once, as before,
/// and on PostgreSQL also queues the change for the other nodes, which <see cref="PostgresEventRelay"/>
/// sends with NOTIFY and feeds to their handlers of the same kind (docs/decisions/047). On SQLite (one
/// process) nothing is queued. A change is small JSON (ids and a status): never a secret or a message body.
/// </summary>
public sealed class LiveEvents
{
    private readonly ConcurrentDictionary<string, Action<JsonElement>> _kinds = new(StringComparer.Ordinal);
    private readonly Channel<LiveChange>? _outgoing;

    public LiveEvents(PortalDatabase database)
    {
        if (database.Provider == DatabaseProvider.PostgreSQL)
        {
            // Bounded: while the database is unreachable the oldest changes go first, not the memory.
            _outgoing = Channel.CreateBounded<LiveChange>(new BoundedChannelOptions(OutgoingCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
            });
        }
    }

    /// <summary>How many changes may wait for the relay before the oldest are dropped.</summary>
    public const int OutgoingCapacity = 10_000;

    /// <summary>This node's name in the notifications it sends, so it skips its own when they come back.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The changes for the other nodes, read by the relay; null on SQLite.</summary>
    internal ChannelReader<LiveChange>? Outgoing => _outgoing?.Reader;

    /// <summary>
    /// Registers <paramref name="kind"/> (unique, e.g. "integration.changed") and returns its publisher:
    /// it runs <paramref name="deliver"/> here and, through the relay, on every other node.
    /// </summary>
    public Action<T> Register<T>(string kind, Action<T> deliver)
    {
        if (!_kinds.TryAdd(kind, data => deliver(data.Deserialize<T>()!)))
        {
            throw new InvalidOperationException($"The live event '{kind}' is registered twice.");
        }

        return change =>
        {
            deliver(change);
            _outgoing?.Writer.TryWrite(new LiveChange(kind, JsonSerializer.SerializeToElement(change)));
        };
    }

    /// <summary>A change another node published: runs this node's handlers of its kind (a kind this version does not know is skipped).</summary>
    internal void DeliverFromOtherNode(LiveChange change)
    {
        if (_kinds.TryGetValue(change.Kind, out var deliver))
        {
            deliver(change.Data);
        }
    }
}

/// <summary>One published change: its kind and its value as JSON.</summary>
internal sealed record LiveChange(string Kind, JsonElement Data);
