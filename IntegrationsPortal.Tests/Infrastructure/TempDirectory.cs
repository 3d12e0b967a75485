using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// A folder of its own for one app or database under test, removed afterwards. The database is a
/// SQLite file in the folder, or, for a test class marked <see cref="OnPostgreSQLAttribute"/>, a
/// PostgreSQL database of the folder's own (made on first use, kept across a restart on the same folder).
/// </summary>
public sealed class TempDirectory : IDisposable
{
    private PostgresTestDatabase? _postgres;

    public string Path { get; } = Directory.CreateTempSubdirectory("portal-test-").FullName;

    public string DatabaseFile => System.IO.Path.Combine(Path, "portal.db");

    public DatabaseProvider Provider { get; } = OnPostgreSQLAttribute.ProviderOfCurrentTest();

    /// <summary>The settings that point a portal at this folder's database (provider and connection string).</summary>
    public IReadOnlyDictionary<string, string> DatabaseSettings()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            return new Dictionary<string, string> { ["ConnectionStrings:Portal"] = $"Data Source={DatabaseFile}" };
        }

        _postgres ??= PostgresTestDatabase.Create();
        return new Dictionary<string, string>
        {
            [DatabaseProviders.SettingKey] = nameof(DatabaseProvider.PostgreSQL),
            ["ConnectionStrings:Portal"] = _postgres.ConnectionString,
        };
    }

    public void Dispose()
    {
        _postgres?.Dispose();
        // SQLite's pool may hold the file briefly; a leftover temp folder is harmless.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
