using System.Data.Common;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The two migration sets (SQLite's, grown a migration per change, and PostgreSQL's, docs/decisions/036)
/// kept in step: each, applied to an empty database by the start-up migration, leaves no model change
/// pending and makes the same tables and columns as the other.
/// </summary>
public sealed class MigrationSetsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SqliteSet_OnAnEmptyDatabase_LeavesNoModelChangePending()
    {
        using var files = new TempDirectory();
        await using var db = SqliteContext(files);

        await db.MigratePortalSchemaAsync(Ct);

        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a SQLite migration: dotnet ef migrations add <Name> --context PortalDbContext");
    }

    [Fact]
    public async Task PostgreSQLSet_OnAnEmptyDatabase_LeavesNoModelChangePending()
    {
        using var database = PostgresTestDatabase.Create();
        await using var db = PostgresContext(database);

        await db.MigratePortalSchemaAsync(Ct);

        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without the PostgreSQL set following: tools/postgres-migrations.sh");
    }

    [Fact]
    public async Task BothSets_MakeTheSameTablesAndColumns()
    {
        using var files = new TempDirectory();
        using var database = PostgresTestDatabase.Create();
        await using var sqlite = SqliteContext(files);
        await using var postgres = PostgresContext(database);
        await sqlite.MigratePortalSchemaAsync(Ct);
        await postgres.MigratePortalSchemaAsync(Ct);

        var onSqlite = await ColumnsAsync(sqlite, """
            SELECT m.name || '.' || p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EF%'
            """);
        var onPostgres = await ColumnsAsync(postgres, """
            SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name NOT LIKE '__EF%'
            """);

        Assert.NotEmpty(onSqlite);
        Assert.Equal(onSqlite.Order(StringComparer.Ordinal), onPostgres.Order(StringComparer.Ordinal));
    }

    private static PortalDbContext SqliteContext(TempDirectory files) =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={files.DatabaseFile}").Options, new CurrentUser());

    private static PostgresPortalDbContext PostgresContext(PostgresTestDatabase database) =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql(database.ConnectionString).Options, new CurrentUser());

    private static async Task<List<string>> ColumnsAsync(PortalDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(Ct);
        }

        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var columns = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }
}
