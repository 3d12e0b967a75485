using System.Security.Cryptography;
using IntegrationsPortal.Infrastructure.Events;
using Microsoft.Extensions.Configuration;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// Several portal nodes (<see cref="PortalNode"/>, each a process of its own) on the test's one database,
/// configured alike as the README asks of every node (the same connection string and vault key), and the
/// portal's own services on that database (<see cref="Seeder"/>) to make the data beforehand and read the
/// outcome afterwards. The seeder never starts its hosted services: its scheduler stays in standby and it
/// relays no live events, so whatever the nodes do, they do themselves.
/// </summary>
public sealed class PortalCluster : IAsyncDisposable
{
    // One vault key for every node, so each opens the credentials the others stored.
    private readonly Dictionary<string, string> _vault = new()
    {
        ["Portal:Vault:Keys:kek-cluster"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Portal:Vault:ActiveKeyId"] = "kek-cluster",
    };

    private readonly TempDirectory _database = new();
    private readonly List<PortalNode> _nodes = [];
    private PortalServices _seederServices = default!;

    private PortalCluster()
    {
    }

    /// <summary>The portal's services on the nodes' database: for seeding and reading, never for running jobs.</summary>
    public IServiceProvider Seeder => _seederServices.Services;

    /// <summary>Makes the database (migrated) and the seeder; no node runs yet.</summary>
    public static async Task<PortalCluster> StartAsync()
    {
        var cluster = new PortalCluster();
        cluster._seederServices = await PortalServices.StartAsync(
            builder => builder.Configuration.AddInMemoryCollection(cluster._vault.ToDictionary(s => s.Key, s => (string?)s.Value)), cluster._database);
        return cluster;
    }

    /// <summary>
    /// Starts one more node on the database with the shared settings plus <paramref name="settings"/>, and
    /// waits until it is ready; several may start at once. The fakes the tests start listen on loopback, so
    /// the nodes may reach it. <paramref name="environment"/>: see <see cref="PortalNode.StartAsync"/>.
    /// </summary>
    public async Task<PortalNode> StartNodeAsync(string name, IReadOnlyDictionary<string, string>? settings = null, string environment = "Production")
    {
        var all = new Dictionary<string, string>(_vault)
        {
            [PortalServices.LoopbackAllowance.Key] = PortalServices.LoopbackAllowance.Network,
        };
        foreach (var (key, value) in _database.DatabaseSettings().Concat(settings ?? new Dictionary<string, string>()))
        {
            all[key] = value;
        }

        var node = await PortalNode.StartAsync(name, all, environment);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return node;
    }

    /// <summary>
    /// Waits until <paramref name="nodes"/> nodes hold their LISTEN connection for live events: a node that
    /// is ready takes requests, but a change notified before it listens never reaches its pages. Seen from
    /// the database's side, so the nodes need not expose anything for it.
    /// </summary>
    public async Task WaitUntilListeningForLiveEventsAsync(int nodes)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await _seederServices.OpenDatabaseConnectionAsync(ct);
        await Eventually.TrueAsync(async () =>
        {
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = @listen";
            var listen = count.CreateParameter();
            listen.ParameterName = "listen";
            listen.Value = $"LISTEN {PostgresEventRelay.ChannelName}";
            count.Parameters.Add(listen);
            return Convert.ToInt32(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) >= nodes;
        }, $"{nodes} nodes listening for live events");
    }

    /// <summary>The last lines of every node, for a failure message.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_nodes)
            {
                return string.Join(Environment.NewLine, _nodes.Select(n => n.RecentOutput));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (_seederServices is not null)
        {
            await _seederServices.DisposeAsync();
        }

        _database.Dispose();
    }
}
