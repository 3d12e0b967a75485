using IntegrationsPortal.Infrastructure.Data;
using Npgsql;
using Xunit.v3;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// Runs a test class's tests on PostgreSQL instead of SQLite: put it on a subclass of a suite
/// (<c>[OnPostgreSQL] public sealed class XOnPostgreSQLTests : XTests;</c>) and every portal its tests
/// start gets a fresh PostgreSQL database, dropped afterwards. Needs <see cref="PostgresTestDatabase.EnvironmentVariable"/>.
/// A collection's shared portal is made before any of its classes runs, so a collection definition carries
/// the attribute too when its fixture is to be on PostgreSQL (<see cref="Http.SetUpPortalOnPostgreSQLCollection"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OnPostgreSQLAttribute : Attribute
{
    /// <summary>The provider of the test that is running: PostgreSQL when its class, or its collection's definition, carries this attribute.</summary>
    public static DatabaseProvider ProviderOfCurrentTest()
    {
        var context = TestContext.Current;
        var marked = (context.TestClass as IXunitTestClass)?.Class ?? (context.TestCollection as IXunitTestCollection)?.CollectionDefinition;
        return marked?.IsDefined(typeof(OnPostgreSQLAttribute), inherit: false) == true ? DatabaseProvider.PostgreSQL : DatabaseProvider.Sqlite;
    }
}

/// <summary>
/// A database of its own on the test PostgreSQL server, as a SQLite test has a file of its own: created
/// with a unique name, dropped (connections and all) on dispose. The server and a role that may create
/// databases come from <c>PORTAL_TEST_POSTGRES</c>, which .ci/run sets (from .ci/postgres).
/// </summary>
public sealed class PostgresTestDatabase : IDisposable
{
    public const string EnvironmentVariable = "PORTAL_TEST_POSTGRES";

    private readonly string _server;
    private readonly string _name;

    private PostgresTestDatabase(string server, string name, string connectionString) =>
        (_server, _name, ConnectionString) = (server, name, connectionString);

    public string ConnectionString { get; }

    /// <summary>The server's connection string; a test on PostgreSQL is skipped, saying why, when none is set.</summary>
    public static string Server()
    {
        var server = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(server))
        {
            Assert.Skip($"{EnvironmentVariable} is not set: start PostgreSQL with `export {EnvironmentVariable}=\"$(.ci/postgres)\"`.");
        }

        return server;
    }

    public static PostgresTestDatabase Create()
    {
        var server = Server();
        var name = "portal_test_" + Guid.NewGuid().ToString("N");
        Execute(server, $"CREATE DATABASE \"{name}\";");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        return new PostgresTestDatabase(server, name, connectionString);
    }

    public void Dispose()
    {
        // Pooled connections (EF Core's, Quartz's) would hold the database open; FORCE ends them.
        NpgsqlConnection.ClearAllPools();
        Execute(_server, $"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE);");
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
