using System.Diagnostics;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// Ingest throughput: N readings (default 1,000,000) through ReadingWriter in the batches a
/// backfill window produces, beside plain Microsoft.Data.Sqlite inserting the same rows in one
/// transaction with one prepared statement into an identical table (the ceiling).
/// </summary>
internal static class IngestBenchmark
{
    private const int BatchSize = 10_000;

    public static async Task<int> Main(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var directory = Directory.CreateTempSubdirectory("portal-ingest-").FullName;
        try
        {
            var readings = MakeReadings(count);
            var portal = await PortalWriteAsync(Path.Combine(directory, "portal.db"), readings);
            var ceiling = await PlainSqliteAsync(Path.Combine(directory, "plain.db"), readings);
            Console.WriteLine($"Readings:                          {count:N0} (batches of {BatchSize:N0})");
            Console.WriteLine($"ReadingWriter (backfill path):     {count / portal.TotalSeconds,12:N0} readings/s  ({portal.TotalSeconds:0.00} s)");
            Console.WriteLine($"Plain Microsoft.Data.Sqlite:       {count / ceiling.TotalSeconds,12:N0} readings/s  ({ceiling.TotalSeconds:0.00} s)");
            Console.WriteLine($"Ratio:                             {ceiling.TotalSeconds / portal.TotalSeconds,12:P0} of the ceiling (target: 50 % and 50,000 readings/s)");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static NewReading[] MakeReadings(int count)
    {
        // 100 meters, 15-minute kWh intervals: the shape of a utility backfill.
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(0, count)
            .Select(i => new NewReading($"places/{Guid.Empty}/devices/{i % 100:D12}", "energy_kwh", start.AddMinutes(15 * (i / 100)), (i % 97) * 0.25, "kWh"))
            .ToArray();
    }

    private static async Task<TimeSpan> PortalWriteAsync(string databaseFile, NewReading[] readings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetDirectoryName(databaseFile), EnvironmentName = "Production", Args = [IntegrationsPortal.PortalExtensions.NoConfigReload] });
        builder.Configuration["ConnectionStrings:Portal"] = $"Data Source={databaseFile}";
        builder.Logging.ClearProviders();
        builder.AddPortalData();
        builder.AddAccounts();
        builder.AddSettings();
        builder.AddCatalog();
        builder.AddIntegrations();
        builder.AddIngestion();
        await using var app = builder.Build();
        await app.MigratePortalDatabaseAsync();

        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(Guid.CreateVersion7());
        var writer = scope.ServiceProvider.GetRequiredService<ReadingWriter>();
        var source = Guid.CreateVersion7();
        var watch = Stopwatch.StartNew();
        foreach (var batch in readings.Chunk(BatchSize))
        {
            await writer.WriteAsync(source, batch);
        }

        return watch.Elapsed;
    }

    private static async Task<TimeSpan> PlainSqliteAsync(string databaseFile, NewReading[] readings)
    {
        await using var connection = new SqliteConnection($"Data Source={databaseFile}");
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            // The same table and indexes the migration makes, so the ceiling pays for the same index upkeep.
            create.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE Readings (Id INTEGER PRIMARY KEY AUTOINCREMENT, OrganizationId TEXT NOT NULL, ResourcePath TEXT NOT NULL,
                  Metric TEXT NOT NULL, TimestampTicks INTEGER NOT NULL, Value REAL NOT NULL, Unit TEXT NOT NULL, SourceIntegrationId TEXT NOT NULL);
                CREATE UNIQUE INDEX IX_Key ON Readings (ResourcePath, Metric, TimestampTicks, SourceIntegrationId);
                CREATE INDEX IX_Source ON Readings (SourceIntegrationId, TimestampTicks);
                CREATE INDEX IX_Org ON Readings (OrganizationId);
                """;
            await create.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO Readings (OrganizationId, ResourcePath, Metric, TimestampTicks, Value, Unit, SourceIntegrationId) VALUES ($o, $p, $m, $t, $v, $u, $s)";
        insert.Parameters.AddWithValue("$o", Guid.Empty.ToString());
        var path = insert.Parameters.AddWithValue("$p", "");
        var metric = insert.Parameters.AddWithValue("$m", "");
        var ticks = insert.Parameters.AddWithValue("$t", 0L);
        var value = insert.Parameters.AddWithValue("$v", 0d);
        var unit = insert.Parameters.AddWithValue("$u", "");
        insert.Parameters.AddWithValue("$s", Guid.Empty.ToString());
        insert.Prepare();
        foreach (var reading in readings)
        {
            path.Value = reading.ResourcePath;
            metric.Value = reading.Metric;
            ticks.Value = reading.Timestamp.UtcTicks;
            value.Value = reading.Value;
            unit.Value = reading.Unit;
            insert.ExecuteNonQuery();
        }

        await transaction.CommitAsync();
        return watch.Elapsed;
    }
}
