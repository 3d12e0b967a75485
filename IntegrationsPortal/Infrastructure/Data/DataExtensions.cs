using IntegrationsPortal.Infrastructure.Security;
using Microsoft.Data.Sqlite;

namespace IntegrationsPortal.Infrastructure.Data;

public static class DataExtensions
{
    /// <summary>
    /// Registers the database: SQLite by default, at the path in <c>ConnectionStrings:Portal</c>
    /// (relative paths are under the content root, so the app finds its data from any working directory).
    /// </summary>
    public static IHostApplicationBuilder AddPortalData(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.GetPortalConnectionString();
        builder.Services.AddScoped<CurrentUser>();
        builder.Services.AddSingleton(TimeProvider.System);
        // Scoped so each context can take the scope's CurrentUser for the tenant filter.
        builder.Services.AddDbContextFactory<PortalDbContext>(
            options => options.UseSqlite(connectionString),
            ServiceLifetime.Scoped);
        // Identity's stores need a context from the scope; everything else uses the factory.
        builder.Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        return builder;
    }

    /// <summary>Creates the database file and applies pending migrations; runs once at start-up.</summary>
    public static async Task MigratePortalDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider
            .GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        // WAL lets the portal read while Quartz writes its triggers; the setting lives in the file.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        await db.Database.MigrateAsync();
    }

    /// <summary>The folder that holds the database file; other local state (keys) lives beside it.</summary>
    public static string GetDataDirectory(this IHostApplicationBuilder host) =>
        Path.GetDirectoryName(new SqliteConnectionStringBuilder(host.GetPortalConnectionString()).DataSource)
            is { Length: > 0 } directory ? directory : host.Environment.ContentRootPath;

    /// <summary>The SQLite connection string, shared by EF Core and Quartz's store.</summary>
    public static string GetPortalConnectionString(this IHostApplicationBuilder host)
    {
        var builder = new SqliteConnectionStringBuilder(
            host.Configuration.GetConnectionString("Portal")
                ?? throw new InvalidOperationException("ConnectionStrings:Portal is not set."));
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
