using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The portal's real services on a real SQLite file of their own, migrated, with no web server:
/// the first test layer. Seed data with the <see cref="TenantSeeder"/> extensions on <see cref="Services"/>.
/// </summary>
public sealed class PortalServices : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private WebApplication _app = default!;

    public IServiceProvider Services => _app.Services;

    public static async Task<PortalServices> StartAsync()
    {
        var services = new PortalServices();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = services._directory.Path,
            EnvironmentName = "Testing",
        });
        builder.Configuration["ConnectionStrings:Portal"] = $"Data Source={services._directory.DatabaseFile}";
        builder.Logging.ClearProviders();
        builder.AddPortalData();
        builder.AddAccounts();
        builder.AddSettings();
        services._app = builder.Build();
        await services._app.MigratePortalDatabaseAsync();
        return services;
    }

    public string DatabaseFile => _directory.DatabaseFile;

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _directory.Dispose();
    }
}

