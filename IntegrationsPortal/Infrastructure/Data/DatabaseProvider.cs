using Microsoft.Data.Sqlite;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// Which database engine holds the portal's data: <c>Portal:Database:Provider</c>, <c>Sqlite</c> (the
/// embedded default, one process, nothing to install) or <c>PostgreSQL</c> (several portal nodes on one
/// server). Each has its own migration set (docs/decisions/036); code that speaks one engine's SQL asks
/// here or tests the connection it holds.
/// </summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSQL,
}

/// <summary>The configured provider, as a service (read once at start).</summary>
public sealed record PortalDatabase(DatabaseProvider Provider);

public static class DatabaseProviders
{
    public const string SettingKey = "Portal:Database:Provider";

    /// <summary>The configured provider; an unknown name stops the start with the setting's name in the error.</summary>
    public static DatabaseProvider GetDatabaseProvider(this IConfiguration configuration) =>
        configuration[SettingKey] switch
        {
            null or "" => DatabaseProvider.Sqlite,
            var name when Enum.TryParse<DatabaseProvider>(name, ignoreCase: true, out var provider) => provider,
            var name => throw new InvalidOperationException(
                $"{SettingKey} is '{name}'; use {nameof(DatabaseProvider.Sqlite)} or {nameof(DatabaseProvider.PostgreSQL)}."),
        };

    /// <summary>True when the context works on SQLite (PRAGMAs, WAL and SQLite's text Guids apply).</summary>
    public static bool IsSqlite(this DbContext db) => db is not PostgresPortalDbContext;

    /// <summary>True for a SQLite connection; for raw ADO.NET code that holds only the connection.</summary>
    public static bool IsSqlite(this System.Data.Common.DbConnection connection) => connection is SqliteConnection;
}
