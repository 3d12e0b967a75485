using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using static IntegrationsPortal.Features.Ingestion.ReadingUpsert;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>How a push's uplinks were stored: new ones, and copies of ones already there.</summary>
public readonly record struct StoredUplinks(int Stored, int Duplicates);

/// <summary>
/// Writes accepted uplinks, their readings and the unmapped-EUI counts, committing before the endpoint
/// answers 202. Requests that arrive together are written in one transaction (group commit) by one
/// writer: SQLite has one writer anyway, and a commit per uplink would cap the endpoint at the disk's
/// commit rate. Each request waits for the commit that holds its uplinks (docs/decisions/016).
/// </summary>
public sealed class UplinkStore(IServiceScopeFactory scopes, TimeProvider time, IOptions<UplinkOptions> options, UplinkEvents events, UplinkFlowFeed flows)
    : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    public Task<StoredUplinks> StoreAsync(Guid organizationId, Guid integrationId, IReadOnlyList<ParsedUplink> uplinks, CancellationToken ct)
    {
        // Everything that reads the JSON is done here, on the request's thread: the one writer then only runs
        // statements (its time per uplink is the endpoint's ceiling), and never touches a document the
        // request may already have disposed.
        var prepared = uplinks.Select(u => new PreparedUplink(u, StoredBody(u), UplinkMetrics.Readings(u.Decoded, "", u.ReceivedAt))).ToList();
        var pending = new Pending(organizationId, integrationId, prepared, new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The portal is shutting down.");
        }

        return pending.Done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        Writer? writer = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < options.Value.BatchSize && _queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    // One connection and its prepared statements for the writer's life: set-up per batch cost more
                    // than the writes themselves when batches are small (benchmarks/README.md).
#pragma warning disable CA2000 // Disposed in the finally below, or after a failed batch; the analyzer loses it across the loop.
                    writer ??= await Writer.OpenAsync(scopes, options.Value.SqliteWalLimitMegabytes * 1024L * 1024L, stoppingToken);
#pragma warning restore CA2000
                    var fed = new List<FedUplink>();
                    var results = await writer.WriteAsync(batch, time.GetUtcNow().UtcTicks, fed, stoppingToken);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.TrySetResult(results[i]);
                    }

                    foreach (var integrationId in batch.Select(p => p.IntegrationId).Distinct())
                    {
                        events.Publish(integrationId);
                    }

                    flows.Feed(fed);
                }
#pragma warning disable CA1031 // The writer must outlive one bad batch; its senders get the error (500) and retry.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    batch.ForEach(p => p.Done.TrySetException(error));
                    // Start again on a fresh connection: the failure may have been the connection's.
                    if (writer is not null)
                    {
                        await writer.DisposeAsync();
                        writer = null;
                    }
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: requests still queued were not answered 202, so the network sends them again.
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }

        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetCanceled(stoppingToken);
        }
    }

    /// <summary>
    /// The writer's connection: opened once, with relaxed durability (see RelaxedDurability) and its statements
    /// prepared. On SQLite it also never checkpoints (<see cref="SqliteCheckpoints"/>, decision 028).
    /// </summary>
    private sealed class Writer : IAsyncDisposable
    {
        private readonly AsyncServiceScope _scope;
        private readonly PortalDbContext _db;
        private readonly RelaxedDurability _relaxed;
        private readonly Statements _statements;
        private readonly SqliteCheckpoints? _checkpoints;

        private Writer(AsyncServiceScope scope, PortalDbContext db, RelaxedDurability relaxed, Statements statements, SqliteCheckpoints? checkpoints) =>
            (_scope, _db, _relaxed, _statements, _checkpoints) = (scope, db, relaxed, statements, checkpoints);

        public static async Task<Writer> OpenAsync(IServiceScopeFactory scopes, long walLimitBytes, CancellationToken ct)
        {
            // The context factory is scoped (it carries the scope's user for the tenant filter); raw SQL here sets organizations itself.
            var scope = scopes.CreateAsyncScope();
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
            await db.Database.OpenConnectionAsync(ct);
            var connection = db.Database.GetDbConnection();
            // NORMAL in WAL mode loses nothing committed when the process crashes (see RelaxedDurability).
            var relaxed = await RelaxedDurability.StartAsync(connection, ct);
#pragma warning disable CA2000 // The checkpoints and the statements are the writer's, disposed with it.
            var checkpoints = connection.IsSqlite() ? await SqliteCheckpoints.StartAsync(connection, db.Database.GetConnectionString(), walLimitBytes, ct) : null;
            return new Writer(scope, db, relaxed, await Statements.PrepareAsync(connection, ct), checkpoints);
#pragma warning restore CA2000
        }

        // Two PostgreSQL nodes storing the same uplinks (a network's retry reaching the other node) or counting
        // the same unmapped device wait for each other's rows. A batch takes its rows in one order (see Write),
        // so neither holds what the other waits for; should the server still abort one transaction (a deadlock
        // elsewhere, a serialization failure), that batch is written again (its duplicates now find the other
        // node's committed rows) rather than answering its senders 500.
        private const int Attempts = 5;

        public async Task<StoredUplinks[]> WriteAsync(List<Pending> batch, long acceptedAt, List<FedUplink> fed, CancellationToken ct)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await WriteOnceAsync(batch, acceptedAt, fed, ct);
                }
                catch (DbException error) when (error.IsTransient && attempt < Attempts)
                {
                    // The transaction was rolled back whole; nothing of this attempt is kept, fed to flows or answered.
                    fed.Clear();
                }
            }
        }

        private async Task<StoredUplinks[]> WriteOnceAsync(List<Pending> batch, long acceptedAt, List<FedUplink> fed, CancellationToken ct)
        {
            if (_checkpoints is not null)
            {
                await _checkpoints.BeforeWriteAsync();
            }

            await using var transaction = await _db.Database.GetDbConnection().BeginTransactionAsync(ct);
            _statements.Enlist(transaction);
            var results = Write(_statements, batch, acceptedAt, fed);
            await transaction.CommitAsync(ct);
            _checkpoints?.AfterCommit();
            return results;
        }

        public async ValueTask DisposeAsync()
        {
            await _statements.DisposeAsync();
            // The connection goes back to the pool as it came: other writers checkpoint and commit as usual again.
            if (_checkpoints is not null)
            {
                await _checkpoints.DisposeAsync();
            }

            await _relaxed.DisposeAsync();
            await _db.DisposeAsync();
            await _scope.DisposeAsync();
        }
    }

    /// <summary>
    /// SQLite only: the writer's connection never checkpoints. Copying the WAL into the database ends with an
    /// fsync, which on a busy disk took longer than many batches and held every waiting request. A separate
    /// connection checkpoints (PASSIVE, so it never blocks the writer) after commits, at most one at a time
    /// (docs/decisions/028). PostgreSQL's server checkpoints by itself, off every session's path.
    /// A PASSIVE checkpoint under a steady push never copies the frames committed while it runs, so SQLite
    /// never starts the WAL over and its file grows for as long as the push lasts. Past the limit the side
    /// connection therefore truncates it, and the writer waits for that before its next batch: the writer
    /// takes its lock again within microseconds of a commit, so a checkpoint waiting for it alone never got in.
    /// The wait is what the PASSIVE pass before it left to copy, and an fsync, once per limit's worth of WAL.
    /// </summary>
    private sealed class SqliteCheckpoints : IAsyncDisposable
    {
        private const int WriterCacheKilobytes = 32 * 1024;

        // A checkpoint per second at most: each ends with fsyncs, and the WAL it leaves meanwhile is small.
        private const long CheckpointEveryMilliseconds = 1000;

        // How long the truncating checkpoint waits for the writer's transaction and for readers of the old WAL
        // (the writer waits as long at most); given up, it is tried again after the next commit.
        private const int TruncateWaitsMilliseconds = 2000;

        private readonly DbConnection _writer;
        private readonly string? _connectionString;
        private readonly long _autoCheckpoint;
        private readonly string? _walFile;
        private readonly long _walLimitBytes;
        private Task _checkpoint = Task.CompletedTask;
        private long _checkpointStartedAt = Environment.TickCount64;

        private SqliteCheckpoints(DbConnection writer, string? connectionString, long autoCheckpoint, long walLimitBytes)
        {
            (_writer, _connectionString, _autoCheckpoint, _walLimitBytes) = (writer, connectionString, autoCheckpoint, walLimitBytes);
            // The open connection's DataSource is the database file's full path (empty for an in-memory database).
            _walFile = string.IsNullOrEmpty(writer.DataSource) ? null : writer.DataSource + "-wal";
        }

        public static async Task<SqliteCheckpoints> StartAsync(DbConnection writer, string? connectionString, long walLimitBytes, CancellationToken ct)
        {
            var autoCheckpoint = Convert.ToInt64(await ScalarAsync(writer, "PRAGMA wal_autocheckpoint;", ct), CultureInfo.InvariantCulture);
            await ScalarAsync(writer, "PRAGMA wal_autocheckpoint=0;", ct);
            // Uplinks of many devices touch many index pages per batch; SQLite's default 2 MB cache spilled
            // them to the WAL mid-transaction and read them back for the next batch.
            await ScalarAsync(writer, $"PRAGMA cache_size=-{WriterCacheKilobytes.ToString(CultureInfo.InvariantCulture)};", ct);
            return new SqliteCheckpoints(writer, connectionString, autoCheckpoint, walLimitBytes);
        }

        public void AfterCommit()
        {
            // A WAL past its limit is checkpointed without waiting out the second: a fast push adds megabytes a second.
            if (_checkpoint.IsCompleted && (Environment.TickCount64 - _checkpointStartedAt >= CheckpointEveryMilliseconds || WalTooLarge()))
            {
                _checkpointStartedAt = Environment.TickCount64;
                _checkpoint = Task.Run(CheckpointAsync, CancellationToken.None);
            }
        }

        /// <summary>Past the limit, lets the checkpoint under way truncate the WAL before the writer takes its lock again.</summary>
        public async Task BeforeWriteAsync()
        {
            if (!_checkpoint.IsCompleted && WalTooLarge())
            {
                await _checkpoint;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _checkpoint;
            await ScalarAsync(_writer, $"PRAGMA wal_autocheckpoint={_autoCheckpoint.ToString(CultureInfo.InvariantCulture)};", CancellationToken.None);
            await ScalarAsync(_writer, "PRAGMA cache_size=-2000;", CancellationToken.None);
        }

        private bool WalTooLarge()
        {
            if (_walFile is null)
            {
                return false;
            }

            var wal = new FileInfo(_walFile);
            return wal.Exists && wal.Length > _walLimitBytes;
        }

        private async Task CheckpointAsync()
        {
            try
            {
                await using var connection = new SqliteConnection(_connectionString);
                await connection.OpenAsync();
                // PASSIVE first: it copies most of the WAL without holding the writer, leaving the truncation little to do.
                await ScalarAsync(connection, "PRAGMA wal_checkpoint(PASSIVE);", CancellationToken.None);
                if (WalTooLarge())
                {
                    // The writer waits in BeforeWriteAsync; the busy timeout (this connection's only) is for readers
                    // still on the old WAL. A checkpoint that times out returns busy rather than failing.
                    await ScalarAsync(connection, $"PRAGMA busy_timeout={TruncateWaitsMilliseconds.ToString(CultureInfo.InvariantCulture)};", CancellationToken.None);
                    await ScalarAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE);", CancellationToken.None);
                }
            }
#pragma warning disable CA1031 // A checkpoint that fails is done by the next one (or by another connection's automatic one).
            catch (Exception)
#pragma warning restore CA1031
            {
                // Nothing is lost: the committed pages stay in the WAL until a checkpoint copies them.
            }
        }

        private static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(ct);
        }
    }

    /// <summary>
    /// Writes a batch in three passes, each in one order: its uplinks by (integration, dedup key), then the
    /// unmapped devices' counts by (integration, EUI), then the readings by (device, metric, time). Two
    /// PostgreSQL nodes writing the same uplinks then take their rows' locks in the same order and never each
    /// hold what the other waits for. Until 2026-12-03 a batch wrote uplink, count, uplink, count... and every
    /// run of <c>UplinkWritersOnPostgreSQLTests</c> had PostgreSQL abort one transaction as a deadlock.
    /// Flows are fed in the order the uplinks arrived, which an ordered destination keeps.
    /// </summary>
    private static StoredUplinks[] Write(Statements statements, List<Pending> batch, long acceptedAt, List<FedUplink> fed)
    {
        var arrived = batch
            .SelectMany((pending, index) => pending.Uplinks.Select(prepared => (Pending: index, Prepared: prepared)))
            .Select((uplink, order) => (uplink.Pending, uplink.Prepared, Order: order))
            .OrderBy(u => batch[u.Pending].IntegrationId).ThenBy(u => u.Prepared.Uplink.DedupKey, StringComparer.Ordinal)
            .ToList();
        var stored = new int[batch.Count];
        var unmapped = new List<(Guid OrganizationId, Guid IntegrationId, string Eui)>();
        var readings = new List<(Guid OrganizationId, Guid IntegrationId, NewReading Reading, int Order)>();
        var feeding = new List<(int Order, FedUplink Uplink)>();
        foreach (var (index, (uplink, body, uplinkReadings), order) in arrived)
        {
            var (organizationId, integrationId, _, _) = batch[index];
            var resourcePath = statements.MappedPath(integrationId, uplink.DeviceEui);
            if (!statements.Insert(organizationId, integrationId, uplink, body, resourcePath, acceptedAt))
            {
                continue;
            }

            stored[index]++;
            if (resourcePath is null)
            {
                unmapped.Add((organizationId, integrationId, uplink.DeviceEui));
                continue;
            }

            feeding.Add((order, new FedUplink(organizationId, integrationId, resourcePath, uplink.ReceivedAt, uplink.DedupKey, body)));
            readings.AddRange(uplinkReadings.Select(reading => (organizationId, integrationId, reading with { ResourcePath = resourcePath }, order)));
        }

        foreach (var (organizationId, integrationId, eui) in unmapped.OrderBy(u => u.IntegrationId).ThenBy(u => u.Eui, StringComparer.Ordinal))
        {
            statements.CountUnmapped(organizationId, integrationId, eui, acceptedAt);
        }

        // The same reading twice in a batch: the later arrival is written last and kept, as before.
        foreach (var (organizationId, integrationId, reading, _) in readings
                     .OrderBy(r => r.Reading.ResourcePath, StringComparer.Ordinal).ThenBy(r => r.Reading.Metric, StringComparer.Ordinal)
                     .ThenBy(r => r.Reading.Timestamp).ThenBy(r => r.Order))
        {
            statements.Readings.Write(organizationId, integrationId, reading);
        }

        fed.AddRange(feeding.OrderBy(f => f.Order).Select(f => f.Uplink));
        return batch.Select((pending, index) => new StoredUplinks(stored[index], pending.Uplinks.Count - stored[index])).ToArray();
    }

    private sealed record Pending(Guid OrganizationId, Guid IntegrationId, IReadOnlyList<PreparedUplink> Uplinks, TaskCompletionSource<StoredUplinks> Done);

    /// <summary>An uplink with its stored body and its readings (resource path filled in by the writer, which looks the mapping up).</summary>
    private sealed record PreparedUplink(ParsedUplink Uplink, string Body, List<NewReading> Readings);

    /// <summary>The uplink as sent; one too large to keep whole is replaced by what was read from it, marked truncated.</summary>
    private static string StoredBody(ParsedUplink uplink)
    {
        var raw = uplink.Body.GetRawText();
        return raw.Length <= UplinkLimits.StoredBody
            ? raw
            : JsonSerializer.Serialize(new
            {
                truncated = true,
                device = uplink.DeviceEui,
                receivedAt = uplink.ReceivedAt,
                port = uplink.Port,
                frameCounter = uplink.FrameCounter,
                payload = uplink.RawPayload is { Length: <= UplinkLimits.StoredBody / 2 } payload ? payload : null,
            });
    }

    /// <summary>
    /// The batch's statements, made once per writer: one text for both providers (@name parameters, table-qualified
    /// columns in DO UPDATE) but for the case-insensitive EUI match, with Guids passed as each provider stores them
    /// (<see cref="ReadingUpsert.GuidKey"/>). Several PostgreSQL nodes may write at once: the unique (integration,
    /// dedup key) index with DO NOTHING keeps a duplicate once whichever node stores it first, and the unmapped
    /// count's upsert adds to the row as it is when its lock is taken, so no node's increment is lost.
    /// </summary>
    private sealed class Statements : IAsyncDisposable
    {
        private const string InsertSql =
            $"""
            INSERT INTO "{UplinkConfiguration.TableName}" ("OrganizationId", "IntegrationId", "DedupKey", "DeviceEui", "ResourcePath", "ReceivedAtTicks",
                "Port", "FrameCounter", "Rssi", "Snr", "Body", "AcceptedAtTicks")
            VALUES (@org, @integration, @dedup, @eui, @path, @received, @port, @frame, @rssi, @snr, @body, @accepted)
            ON CONFLICT ("IntegrationId", "DedupKey") DO NOTHING;
            """;

        private const string UnmappedSql =
            $"""
            INSERT INTO "{UnmappedDeviceConfiguration.TableName}" ("OrganizationId", "IntegrationId", "DeviceEui", "FirstSeenTicks", "LastSeenTicks", "Count")
            VALUES (@org, @integration, @eui, @at, @at, 1)
            ON CONFLICT ("IntegrationId", "DeviceEui")
            DO UPDATE SET "LastSeenTicks" = excluded."LastSeenTicks", "Count" = "{UnmappedDeviceConfiguration.TableName}"."Count" + 1;
            """;

        private static readonly string[] UnmappedNames = ["@org", "@integration", "@eui", "@at"];

        private static readonly string[] InsertNames = ["@org", "@integration", "@dedup", "@eui", "@path", "@received", "@port", "@frame", "@rssi", "@snr", "@body", "@accepted"];

        private readonly DbCommand _insert;
        private readonly DbCommand _mapping;
        private readonly DbCommand _unmapped;
        private readonly Func<Guid, object> _key;

        // Each statement's parameters, in their names' order, kept so a row sets values without a lookup by name.
        private readonly DbParameter[] _row;
        private readonly DbParameter[] _mappingKey;
        private readonly DbParameter[] _unmappedRow;

        private Statements(DbCommand insert, DbCommand mapping, DbCommand unmapped, ReadingUpsert readings, Func<Guid, object> key)
        {
            (_insert, _mapping, _unmapped, Readings, _key) = (insert, mapping, unmapped, readings, key);
            _row = InsertNames.Select(name => Parameter(_insert, name, DBNull.Value)).ToArray();
            _mappingKey = [Parameter(_mapping, "@integration", DBNull.Value), Parameter(_mapping, "@eui", DBNull.Value)];
            _unmappedRow = UnmappedNames.Select(name => Parameter(_unmapped, name, DBNull.Value)).ToArray();
        }

        public ReadingUpsert Readings { get; }

        /// <summary>
        /// External ids are typed by operators: an EUI pasted in lower case still matches. The exact match goes
        /// first because only it can use the (IntegrationId, ExternalId) index; the case-insensitive comparison
        /// scans every mapping of the integration, and with LIMIT 1 both engines run it only when the exact match
        /// found nothing. SQLite compares with NOCASE; PostgreSQL has no such collation on a plain column and
        /// compares lower() of both.
        /// </summary>
        private static string MappingSql(bool sqlite) =>
            $"""
            SELECT "ResourceKind", "ResourceId" FROM "ResourceMappings" WHERE "IntegrationId" = @integration AND "ExternalId" = @eui
            UNION ALL
            SELECT "ResourceKind", "ResourceId" FROM "ResourceMappings" WHERE "IntegrationId" = @integration AND {(sqlite
                ? "\"ExternalId\" = @eui COLLATE NOCASE"
                : "lower(\"ExternalId\") = lower(@eui)")}
            LIMIT 1;
            """;

        public static async Task<Statements> PrepareAsync(DbConnection connection, CancellationToken ct)
        {
            DbCommand Command(string sql)
            {
                var command = connection.CreateCommand();
                command.CommandText = sql;
                return command;
            }

#pragma warning disable CA2000 // The commands are the statements', disposed with them.
            return new Statements(Command(InsertSql), Command(MappingSql(connection.IsSqlite())), Command(UnmappedSql),
                await ReadingUpsert.PrepareAsync(connection, null, ct), ReadingUpsert.GuidKey(connection));
#pragma warning restore CA2000
        }

        public void Enlist(DbTransaction transaction)
        {
            _insert.Transaction = transaction;
            _mapping.Transaction = transaction;
            _unmapped.Transaction = transaction;
            Readings.Enlist(transaction);
        }

        public string? MappedPath(Guid integrationId, string eui)
        {
            _mappingKey[0].Value = _key(integrationId);
            _mappingKey[1].Value = eui;
            using var reader = _mapping.ExecuteReader();
            // GetGuid reads SQLite's text Guid and PostgreSQL's uuid alike.
            return reader.Read()
                ? MappedResources.StablePath(Enum.Parse<ResourceKind>(reader.GetString(0)), reader.GetGuid(1))
                : null;
        }

        /// <summary>False when the uplink is a duplicate of one already stored.</summary>
        public bool Insert(Guid organizationId, Guid integrationId, ParsedUplink uplink, string body, string? resourcePath, long acceptedAt)
        {
            var p = _row;
            p[0].Value = _key(organizationId);
            p[1].Value = _key(integrationId);
            p[2].Value = uplink.DedupKey;
            p[3].Value = uplink.DeviceEui;
            p[4].Value = (object?)resourcePath ?? DBNull.Value;
            p[5].Value = uplink.ReceivedAt.UtcTicks;
            p[6].Value = (object?)uplink.Port ?? DBNull.Value;
            p[7].Value = (object?)uplink.FrameCounter ?? DBNull.Value;
            p[8].Value = (object?)uplink.Rssi ?? DBNull.Value;
            p[9].Value = (object?)uplink.Snr ?? DBNull.Value;
            p[10].Value = body;
            p[11].Value = acceptedAt;
            return _insert.ExecuteNonQuery() == 1;
        }

        public void CountUnmapped(Guid organizationId, Guid integrationId, string eui, long at)
        {
            var p = _unmappedRow;
            p[0].Value = _key(organizationId);
            p[1].Value = _key(integrationId);
            p[2].Value = eui;
            p[3].Value = at;
            _unmapped.ExecuteNonQuery();
        }

        public async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync();
            await _mapping.DisposeAsync();
            await _unmapped.DisposeAsync();
            await Readings.DisposeAsync();
        }
    }
}
