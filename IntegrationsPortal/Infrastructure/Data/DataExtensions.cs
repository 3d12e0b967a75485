using IntegrationsPortal.Infrastructure.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IntegrationsPortal.Infrastructure.Data;

public static class DataExtensions
{
    /// <summary>
    /// Registers the database: SQLite by default, at the path in <c>ConnectionStrings:Portal</c>
    /// (relative paths are under the content root, so the app finds its data from any working directory);
    /// PostgreSQL when <c>Portal:Database:Provider</c> says so, with <c>ConnectionStrings:Portal</c> an Npgsql one.
    /// </summary>
    public static IHostApplicationBuilder AddPortalData(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetDatabaseProvider();
        var connectionString = builder.GetPortalConnectionString();
        builder.Services.AddSingleton(new PortalDatabase(provider));
        builder.Services.AddScoped<CurrentUser>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IInterceptor, TimestampInterceptor>();
        builder.Services.AddSingleton<IInterceptor, ColumnLengthCheck>();
        builder.Services.AddSingleton(services => SqliteConnectionSettings.From(services.GetRequiredService<IConfiguration>()));
        // Scoped so each context can take the scope's CurrentUser for the tenant filter.
        builder.Services.AddDbContextFactory<PortalDbContext, PortalDbContextFactory>(
            (services, options) =>
            {
                // Every interceptor registered as a service: the timestamps and length check above, the audit writer (AddAudit).
                options.AddInterceptors(services.GetServices<IInterceptor>());
                if (provider == DatabaseProvider.PostgreSQL)
                {
                    options.UseNpgsql(connectionString);
                }
                else
                {
                    options.UseSqlite(connectionString);
                    options.AddInterceptors(services.GetRequiredService<SqliteConnectionSettings>());
                }
            },
            ServiceLifetime.Scoped);
        // Identity's stores need a context from the scope; everything else uses the factory.
        builder.Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        return builder;
    }

    /// <summary>Creates the database file (SQLite) and applies pending migrations; runs once at start-up.</summary>
    public static async Task MigratePortalDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider
            .GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await db.MigratePortalSchemaAsync();
    }

    /// <summary>The start-up migration on either provider, and what the migrations cannot carry.</summary>
    public static async Task MigratePortalSchemaAsync(this PortalDbContext db, CancellationToken ct = default)
    {
        if (db.IsSqlite())
        {
            // WAL lets the portal read while Quartz writes its triggers; the setting lives in the file.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.MigrateAsync(ct);
            return;
        }

        await db.Database.MigrateAsync(ct);
        await PostgresSchema.ApplyAsync(db, ct);
    }

    /// <summary>
    /// The folder for local state beside the data (vault and Data Protection keys): the database file's
    /// folder on SQLite; on PostgreSQL, which has no file, App_Data under the content root.
    /// </summary>
    public static string GetDataDirectory(this IHostApplicationBuilder host)
    {
        if (host.Configuration.GetDatabaseProvider() == DatabaseProvider.PostgreSQL)
        {
            return DataFiles.OwnerOnlySubfolder(Path.Combine(host.Environment.ContentRootPath, "App_Data")).FullName;
        }

        return Path.GetDirectoryName(new SqliteConnectionStringBuilder(host.GetPortalConnectionString()).DataSource)
            is { Length: > 0 } directory ? directory : host.Environment.ContentRootPath;
    }

    /// <summary>The connection string, shared by EF Core and Quartz's store.</summary>
    public static string GetPortalConnectionString(this IHostApplicationBuilder host)
    {
        var configured = host.Configuration.GetConnectionString("Portal")
            ?? throw new InvalidOperationException("ConnectionStrings:Portal is not set.");
        if (host.Configuration.GetDatabaseProvider() == DatabaseProvider.PostgreSQL)
        {
            return configured;
        }

        var builder = new SqliteConnectionStringBuilder(configured);
        var contentRoot = host.Environment.ContentRootPath;
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:"
            && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.Combine(contentRoot, builder.DataSource);
        }

        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:")
        {
            DataFiles.Prepare(builder.DataSource);
        }

        // Wait for a lock instead of failing at once when Quartz and the portal write together.
        builder.DefaultTimeout = 30;
        return builder.ToString();
    }
}
