using System.Data.Common;
using System.Globalization;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// SQLite's <c>synchronous=NORMAL</c> on one connection for the length of a bulk write, then the
/// connection's own setting again, so pooled connections never carry it to other writers. In WAL mode
/// NORMAL skips the fsync per commit and is still safe against a process crash (no corruption, nothing
/// committed lost); a power cut or OS crash can roll back the last commits. Use it only for writes that
/// are redone if lost: ingested readings are pulled again, and a delivery whose record is lost is sent
/// again with the same id, which receivers de-duplicate on. On PostgreSQL the same trade is
/// <c>synchronous_commit=off</c> for the session (a crash of the server loses the last commits, never
/// consistency), reset at the end so pooled connections come back as they were.
/// </summary>
public sealed class RelaxedDurability : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly long _previous;

    private RelaxedDurability(DbConnection connection, long previous)
    {
        _connection = connection;
        _previous = previous;
    }

    /// <summary>Relaxes an open connection; dispose to restore it.</summary>
    public static async Task<RelaxedDurability> StartAsync(DbConnection connection, CancellationToken ct)
    {
        if (!connection.IsSqlite())
        {
            await ExecuteAsync(connection, "SET synchronous_commit = off;", ct);
            return new RelaxedDurability(connection, -1);
        }

        var previous = Convert.ToInt64(await ExecuteAsync(connection, "PRAGMA synchronous;", ct), CultureInfo.InvariantCulture);
        await ExecuteAsync(connection, "PRAGMA synchronous=NORMAL;", ct);
        return new RelaxedDurability(connection, previous);
    }

    public async ValueTask DisposeAsync() =>
        await ExecuteAsync(_connection, _connection.IsSqlite()
            ? $"PRAGMA synchronous={_previous.ToString(CultureInfo.InvariantCulture)};"
            : "RESET synchronous_commit;", CancellationToken.None);

    private static async Task<object?> ExecuteAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }
}
