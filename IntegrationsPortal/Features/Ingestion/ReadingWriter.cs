using System.Data.Common;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>A reading on its way in, before it has an id.</summary>
public readonly record struct NewReading(string ResourcePath, string Metric, DateTimeOffset Timestamp, double Value, string Unit);

/// <summary>
/// The write path every pull and backfill uses: batches of readings upserted in one transaction
/// through one prepared statement, so an ingest costs a round trip per batch, not per row, and
/// the same window written twice leaves one copy (the newest value wins).
/// </summary>
public sealed class ReadingWriter(IDbContextFactory<PortalDbContext> dbFactory, CurrentUser currentUser)
{
    /// <summary>
    /// Writes all readings or none; returns how many readings were new or changed. A reading read
    /// again with the same value (an overlapping pull, a page re-read after a restart) is not counted,
    /// so a run's counter is the readings it brought, not the rows it touched.
    /// </summary>
    public async Task<int> WriteAsync(Guid sourceIntegrationId, IReadOnlyCollection<NewReading> readings, CancellationToken ct = default)
    {
        if (readings.Count == 0)
        {
            return 0;
        }

        var organizationId = currentUser.RequireOrganization();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var connection = db.Database.GetDbConnection();
        // A backfill of many windows would otherwise pay an fsync for every batch.
        await using var relaxed = await RelaxedDurability.StartAsync(connection, ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var upsert = await ReadingUpsert.PrepareAsync(connection, transaction, ct);
        var written = 0;
        foreach (var reading in readings)
        {
            written += upsert.Write(organizationId, sourceIntegrationId, reading);
        }

        await transaction.CommitAsync(ct);
        return written;
    }
}

/// <summary>
/// The readings upsert as one prepared statement inside a caller's transaction: the batch write above
/// and the uplink store (Features/Uplinks), which writes an uplink and its readings in one commit.
/// </summary>
public sealed class ReadingUpsert : IAsyncDisposable
{
    // One text for both providers: @name parameters and table-qualified columns in the DO UPDATE
    // (PostgreSQL calls a bare "Value" there ambiguous). Value and Unit are never null, so <> says
    // "changed" on both (SQLite's IS NOT and PostgreSQL's IS DISTINCT FROM are not each other's).
    private const string Sql =
        $"""
        INSERT INTO "{ReadingConfiguration.TableName}" ("OrganizationId", "ResourcePath", "Metric", "TimestampTicks", "Value", "Unit", "SourceIntegrationId")
        VALUES (@org, @path, @metric, @ticks, @value, @unit, @source)
        ON CONFLICT ("ResourcePath", "Metric", "TimestampTicks", "SourceIntegrationId")
        DO UPDATE SET "Value" = excluded."Value", "Unit" = excluded."Unit"
        WHERE "{ReadingConfiguration.TableName}"."Value" <> excluded."Value" OR "{ReadingConfiguration.TableName}"."Unit" <> excluded."Unit";
        """;

    private readonly DbCommand _command;
    private readonly DbParameter _org;
    private readonly DbParameter _source;
    private readonly DbParameter _path;
    private readonly DbParameter _metric;
    private readonly DbParameter _ticks;
    private readonly DbParameter _value;
    private readonly DbParameter _unit;
    private readonly Func<Guid, object> _key;

    private ReadingUpsert(DbCommand command, Func<Guid, object> key)
    {
        _command = command;
        _key = key;
        _org = Parameter(command, "@org", key(Guid.Empty));
        _source = Parameter(command, "@source", key(Guid.Empty));
        _path = Parameter(command, "@path", "");
        _metric = Parameter(command, "@metric", "");
        _ticks = Parameter(command, "@ticks", 0L);
        _value = Parameter(command, "@value", 0d);
        _unit = Parameter(command, "@unit", "");
    }

    public static async Task<ReadingUpsert> PrepareAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Sql;
        var upsert = new ReadingUpsert(command, GuidKey(connection));
        await command.PrepareAsync(ct);
        return upsert;
    }

    /// <summary>Moves the prepared statement to the next transaction on the same connection (a long-lived writer's next batch).</summary>
    public void Enlist(DbTransaction transaction) => _command.Transaction = transaction;

    /// <summary>Inserts or updates one reading; returns the rows changed (0 when the same value was already there).</summary>
    public int Write(Guid organizationId, Guid sourceIntegrationId, NewReading reading)
    {
        _org.Value = _key(organizationId);
        _source.Value = _key(sourceIntegrationId);
        _path.Value = reading.ResourcePath;
        _metric.Value = reading.Metric;
        _ticks.Value = reading.Timestamp.UtcTicks;
        _value.Value = reading.Value;
        _unit.Value = reading.Unit;
        // Microsoft.Data.Sqlite runs async calls synchronously anyway; the sync call skips a Task per row.
        // (On PostgreSQL it is a round trip per row, as EF's own batches of upserts would be too.)
        return _command.ExecuteNonQuery();
    }

    /// <summary>A Guid as EF Core's SQLite provider stores it, for raw SQL that EF queries must find.</summary>
    public static string SqliteGuid(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>
    /// How raw SQL on <paramref name="connection"/> passes a Guid: upper-case text on SQLite (as EF Core
    /// stores it, so EF queries find the rows), the Guid itself on PostgreSQL (a uuid column refuses text).
    /// </summary>
    public static Func<Guid, object> GuidKey(DbConnection connection) =>
        connection.IsSqlite() ? id => SqliteGuid(id) : id => id;

    public static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
