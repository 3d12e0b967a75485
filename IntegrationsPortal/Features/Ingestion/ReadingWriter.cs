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
    private const string Upsert =
        $"""
        INSERT INTO "{ReadingConfiguration.TableName}" ("OrganizationId", "ResourcePath", "Metric", "TimestampTicks", "Value", "Unit", "SourceIntegrationId")
        VALUES ($org, $path, $metric, $ticks, $value, $unit, $source)
        ON CONFLICT ("ResourcePath", "Metric", "TimestampTicks", "SourceIntegrationId")
        DO UPDATE SET "Value" = excluded."Value", "Unit" = excluded."Unit";
        """;

    /// <summary>Writes all readings or none; returns how many rows were inserted or updated.</summary>
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
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Upsert;
        // EF Core's SQLite provider stores Guids as upper-case text; match it so EF queries find these rows.
        Parameter(command, "$org", organizationId.ToString().ToUpperInvariant());
        Parameter(command, "$source", sourceIntegrationId.ToString().ToUpperInvariant());
        var path = Parameter(command, "$path", "");
        var metric = Parameter(command, "$metric", "");
        var ticks = Parameter(command, "$ticks", 0L);
        var value = Parameter(command, "$value", 0d);
        var unit = Parameter(command, "$unit", "");
        await command.PrepareAsync(ct);

        var written = 0;
        foreach (var reading in readings)
        {
            path.Value = reading.ResourcePath;
            metric.Value = reading.Metric;
            ticks.Value = reading.Timestamp.UtcTicks;
            value.Value = reading.Value;
            unit.Value = reading.Unit;
            // Microsoft.Data.Sqlite runs async calls synchronously anyway; the sync call skips a Task per row.
            written += command.ExecuteNonQuery();
        }

        await transaction.CommitAsync(ct);
        return written;
    }

    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
