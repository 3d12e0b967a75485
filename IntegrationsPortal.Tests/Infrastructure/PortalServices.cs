using System.Data.Common;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The portal's real services on a real SQLite file of their own (or a PostgreSQL database, see
/// <see cref="OnPostgreSQLAttribute"/>), migrated, with no web server:
/// the first test layer. Seed data with the <see cref="TenantSeeder"/> extensions on <see cref="Services"/>.
/// Quartz is registered with its persistent store but stays in standby, so queued jobs wait as
/// triggers (tests run job logic directly) until a test calls <see cref="StartSchedulerAsync"/>.
/// </summary>
public sealed class PortalServices : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly bool _ownsDirectory;
    private WebApplication _app = default!;

    private PortalServices(TempDirectory directory, bool ownsDirectory)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
    }

    public IServiceProvider Services => _app.Services;

    public TempDirectory Files => _directory;

    public string DatabaseFile => _directory.DatabaseFile;

    /// <summary>Starts the services with extra configuration (vault keys, say).</summary>
    public static Task<PortalServices> StartAsync(IReadOnlyDictionary<string, string?>? settings) =>
        StartAsync(builder => builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>()));

    /// <summary>
    /// Starts the services. Pass <paramref name="directory"/> to start again on the files of an
    /// earlier instance (a restart); <paramref name="configure"/> adds settings or replaces services
    /// (a fake clock, say). The fakes and receivers listen on loopback, which the outbound address
    /// policy refuses unless allowed: <paramref name="allowLoopback"/> false keeps the policy as shipped.
    /// </summary>
    public static async Task<PortalServices> StartAsync(
        Action<WebApplicationBuilder>? configure = null, TempDirectory? directory = null, bool allowLoopback = true)
    {
        var services = new PortalServices(directory ?? new TempDirectory(), ownsDirectory: directory is null);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = services._directory.Path,
            EnvironmentName = "Testing",
            Args = [PortalExtensions.NoConfigReload],
        });
        foreach (var (key, value) in services._directory.DatabaseSettings())
        {
            builder.Configuration[key] = value;
        }

        if (allowLoopback)
        {
            builder.Configuration[LoopbackAllowance.Key] = LoopbackAllowance.Network;
        }

        builder.Logging.ClearProviders();
        builder.AddPortalServices();
        configure?.Invoke(builder);
        services._app = builder.Build();
        await services._app.MigratePortalDatabaseAsync();
        return services;
    }

    /// <summary>The setting that lets the portal reach the test fakes on loopback.</summary>
    public static class LoopbackAllowance
    {
        public const string Key = "Portal:Delivery:AllowedNetworks:0";
        public const string Network = "127.0.0.0/8";
    }

    /// <summary>
    /// A connection of the test's own to the portal's database, outside EF Core and its pool, for
    /// what an operator with database access could do (rewrite a row, drop a trigger).
    /// </summary>
    public async Task<DbConnection> OpenDatabaseConnectionAsync(CancellationToken ct)
    {
        var connectionString = _directory.DatabaseSettings()["ConnectionStrings:Portal"];
        DbConnection connection = _directory.Provider == DatabaseProvider.PostgreSQL
            ? new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString())
            : new Microsoft.Data.Sqlite.SqliteConnection($"{connectionString};Pooling=false");
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>
    /// Whether <paramref name="text"/> is stored anywhere in the portal's database. SQLite: its file and
    /// write-ahead log read as bytes (after a checkpoint), so a value in a free page or an index counts too.
    /// PostgreSQL: every text and JSON column of every table, searched as text.
    /// </summary>
    public async Task<bool> StoredAnywhereAsync(string text, CancellationToken ct)
    {
        await using var connection = await OpenDatabaseConnectionAsync(ct);
        if (_directory.Provider == DatabaseProvider.Sqlite)
        {
            await using (var checkpoint = connection.CreateCommand())
            {
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                await checkpoint.ExecuteNonQueryAsync(ct);
            }

            var needle = System.Text.Encoding.UTF8.GetBytes(text);
            foreach (var file in new[] { DatabaseFile, DatabaseFile + "-wal" }.Where(File.Exists))
            {
                var bytes = await File.ReadAllBytesAsync(file, ct);
                if (bytes.AsSpan().IndexOf(needle) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        var columns = new List<(string Table, string Column)>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = """
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
                """;
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (table, column) in columns)
        {
            await using var search = connection.CreateCommand();
            search.CommandText = $"SELECT EXISTS (SELECT 1 FROM \"{table}\" WHERE strpos(\"{column}\"::text, @text) > 0)";
            var parameter = search.CreateParameter();
            parameter.ParameterName = "text";
            parameter.Value = text;
            search.Parameters.Add(parameter);
            if (await search.ExecuteScalarAsync(ct) is true)
            {
                return true;
            }
        }

        return false;
    }

    public async Task<IScheduler> SchedulerAsync() =>
        await Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

    /// <summary>Lets Quartz run the queued jobs (verification), as the hosted service does in the app.</summary>
    public async Task StartSchedulerAsync() => await (await SchedulerAsync()).Start();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await (await SchedulerAsync()).Shutdown(waitForJobsToComplete: true);
        }
        catch (SchedulerException)
        {
            // A test stopped it already, as the portal's stop does (the factory then refuses to hand it out).
        }

        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            _directory.Dispose();
        }
    }
}
