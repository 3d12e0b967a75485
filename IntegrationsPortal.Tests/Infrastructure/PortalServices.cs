using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The portal's real services on a real SQLite file of their own, migrated, with no web server:
/// the first test layer. Seed data with the <see cref="TenantSeeder"/> extensions on <see cref="Services"/>.
/// Quartz is registered with its persistent store but stays in standby, so queued verifications
/// wait as triggers, until a test calls <see cref="StartSchedulerAsync"/>.
/// </summary>
public sealed class PortalServices : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private WebApplication _app = default!;

    public IServiceProvider Services => _app.Services;

    public static async Task<PortalServices> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var services = new PortalServices();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = services._directory.Path,
            EnvironmentName = "Testing",
        });
        builder.Configuration["ConnectionStrings:Portal"] = $"Data Source={services._directory.DatabaseFile}";
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Logging.ClearProviders();
        builder.AddPortalData();
        builder.AddPortalJobs();
        builder.AddAccounts();
        builder.AddSettings();
        builder.AddIntegrations();
        builder.AddResources();
        builder.AddIngestion();
        services._app = builder.Build();
        await services._app.MigratePortalDatabaseAsync();
        return services;
    }

    public string DatabaseFile => _directory.DatabaseFile;

    public async Task<IScheduler> SchedulerAsync() =>
        await Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

    /// <summary>Lets Quartz run the queued jobs (verification), as the hosted service does in the app.</summary>
    public async Task StartSchedulerAsync() => await (await SchedulerAsync()).Start();

    public async ValueTask DisposeAsync()
    {
        await (await SchedulerAsync()).Shutdown(waitForJobsToComplete: true);
        await _app.DisposeAsync();
        _directory.Dispose();
    }
}
