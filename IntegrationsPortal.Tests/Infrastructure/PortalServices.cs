using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The portal's real services on a real SQLite file of their own, migrated, with no web server:
/// the first test layer. Seed data with the <see cref="TenantSeeder"/> extensions on <see cref="Services"/>.
/// Quartz is registered (services queue jobs) but not started; tests run job logic directly.
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

    /// <summary>
    /// Starts the services. Pass <paramref name="directory"/> to start again on the files of an
    /// earlier instance (a restart); <paramref name="configure"/> adds settings or replaces services
    /// (a fake clock, say).
    /// </summary>
    public static async Task<PortalServices> StartAsync(
        Action<WebApplicationBuilder>? configure = null, TempDirectory? directory = null)
    {
        var services = new PortalServices(directory ?? new TempDirectory(), ownsDirectory: directory is null);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = services._directory.Path,
            EnvironmentName = "Testing",
        });
        builder.Configuration["ConnectionStrings:Portal"] = $"Data Source={services._directory.DatabaseFile}";
        builder.Logging.ClearProviders();
        builder.AddPortalServices();
        configure?.Invoke(builder);
        services._app = builder.Build();
        await services._app.MigratePortalDatabaseAsync();
        return services;
    }

    public string DatabaseFile => _directory.DatabaseFile;

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            _directory.Dispose();
        }
    }
}
