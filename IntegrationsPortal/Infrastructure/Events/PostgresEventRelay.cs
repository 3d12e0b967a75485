using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;

namespace IntegrationsPortal.Infrastructure.Events;

/// <summary>
/// Carries <see cref="LiveEvents"/> between the nodes on PostgreSQL (docs/decisions/047). Sending: the
/// changes this node published are packed into notifications of at most <see cref="MaxPayloadBytes"/>
/// (PostgreSQL refuses 8000 bytes and more) and sent with <c>pg_notify</c> on a pooled connection, so a
/// burst of deliveries becomes a few notifications, not one per message. Receiving: a connection of its
/// own LISTENs on <see cref="ChannelName"/> for the node's life, reconnecting with a growing pause when the
/// database goes away; each notification from another node runs this node's handlers. Notifications
/// sent while a node was disconnected are lost to it: its pages catch up on their next reload.
/// Both go to the portal's own connection string: the database is not an outbound address.
/// </summary>
public sealed class PostgresEventRelay(LiveEvents events, string connectionString, ILogger<PostgresEventRelay> logger) : BackgroundService
{
    public const string ChannelName = "portal_live_events";

    /// <summary>Below PostgreSQL's 8000-byte limit on a notification's payload, with room to spare.</summary>
    public const int MaxPayloadBytes = 7900;

    private static readonly TimeSpan MaxReconnectPause = TimeSpan.FromSeconds(30);

    private volatile bool _listening;

    /// <summary>True while the LISTEN connection is open: changes of other nodes arrive.</summary>
    public bool IsListening => _listening;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), SendAsync(stoppingToken));

    private async Task ListenAsync(CancellationToken ct)
    {
        // Not pooled: this connection is the node's for as long as it runs. Keepalive finds a dead peer.
        var listenConnection = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 15 }.ToString();
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(listenConnection);
                connection.Notification += OnNotification;
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                _listening = true;
                if (failures > 0)
                {
                    logger.LogInformation("Live events from other nodes arrive again.");
                }

                failures = 0;
                while (true)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
            {
                _listening = false;
                failures++;
                var pause = ReconnectPause(failures);
                logger.LogWarning("Live events from other nodes stopped ({Error}); listening again in {Seconds} s.", e.Message, pause.TotalSeconds);
                try
                {
                    await Task.Delay(pause, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                _listening = false;
            }
        }
    }

    /// <summary>0.5 s, 1 s, 2 s, ... up to 30 s.</summary>
    internal static TimeSpan ReconnectPause(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxReconnectPause.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures - 1, 16))));

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        Notice? notice;
        try
        {
            notice = JsonSerializer.Deserialize<Notice>(notification.Payload);
        }
        catch (JsonException e)
        {
            logger.LogWarning("A live event notification could not be read: {Error}", e.Message);
            return;
        }

        if (notice is null || notice.Node == events.NodeId)
        {
            return;
        }

        foreach (var change in notice.Changes)
        {
            try
            {
                events.DeliverFromOtherNode(new LiveChange(change.Kind, change.Data));
            }
            catch (Exception e)
            {
                // A handler's failure must not close the connection that brings every other change.
                logger.LogWarning(e, "A live event {Kind} from another node failed here.", change.Kind);
            }
        }
    }

    private async Task SendAsync(CancellationToken ct)
    {
        var outgoing = events.Outgoing!;
        var failures = 0;
        try
        {
            while (await outgoing.WaitToReadAsync(ct))
            {
                var payloads = Pack(outgoing);
                try
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync(ct);
                    await using var batch = new NpgsqlBatch(connection);
                    foreach (var payload in payloads)
                    {
                        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)")
                        {
                            Parameters = { new NpgsqlParameter { Value = ChannelName }, new NpgsqlParameter { Value = payload } },
                        });
                    }

                    await batch.ExecuteNonQueryAsync(ct);
                    failures = 0;
                }
                catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
                {
                    // Live updates are a courtesy: these changes are lost to the other nodes, the data is not.
                    failures++;
                    logger.LogWarning("Live events could not be sent to other nodes ({Error}).", e.Message);
                    await Task.Delay(ReconnectPause(failures), ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>What is queued now, as notification payloads of at most <see cref="MaxPayloadBytes"/> each.</summary>
    private List<string> Pack(ChannelReader<LiveChange> outgoing)
    {
        var payloads = new List<string>();
        var changes = new List<NoticeChange>();
        var size = 0;
        while (payloads.Count < 100 && outgoing.TryRead(out var change))
        {
            var item = new NoticeChange(change.Kind, change.Data);
            var itemSize = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(item)) + 1;
            if (itemSize + EnvelopeBytes > MaxPayloadBytes)
            {
                logger.LogWarning("A live event {Kind} is too large for a notification ({Bytes} bytes) and reaches this node only.", change.Kind, itemSize);
                continue;
            }

            if (size + itemSize + EnvelopeBytes > MaxPayloadBytes)
            {
                payloads.Add(JsonSerializer.Serialize(new Notice(events.NodeId, changes)));
                changes = [];
                size = 0;
            }

            changes.Add(item);
            size += itemSize;
        }

        if (changes.Count > 0)
        {
            payloads.Add(JsonSerializer.Serialize(new Notice(events.NodeId, changes)));
        }

        return payloads;
    }

    /// <summary>The bytes of a notice around its changes: the node id and the property names.</summary>
    private const int EnvelopeBytes = 100;

    /// <summary>A notification's payload: the sending node and the changes it published, in order.</summary>
    private sealed record Notice(string Node, IReadOnlyList<NoticeChange> Changes);

    private sealed record NoticeChange(string Kind, JsonElement Data);
}
