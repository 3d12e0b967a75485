using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Api;
using IntegrationsPortal.Features.ApiKeys;
using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Mqtt;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Operations;
using IntegrationsPortal.Features.Platform;
using IntegrationsPortal.Features.Recipients;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Features.Uplinks;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Events;
using IntegrationsPortal.Infrastructure.Health;
using IntegrationsPortal.Infrastructure.Http;
using IntegrationsPortal.Infrastructure.Jobs;

namespace IntegrationsPortal;

public static class PortalExtensions
{
    /// <summary>
    /// The host argument that turns off watching appsettings files for changes. Their watcher covers the
    /// content root and its subfolders, so SQLite's writes under App_Data kept waking it.
    /// </summary>
    public const string NoConfigReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>Every feature's services: the portal itself, the service tests and the benchmarks start from the same list.</summary>
    public static IHostApplicationBuilder AddPortalServices(this IHostApplicationBuilder builder)
    {
        builder.AddPortalData();
        // The meter factory the features' instruments come from; they record nothing until something listens (AddPortalTelemetry).
        builder.Services.AddMetrics();
        builder.AddLiveEvents();
        builder.AddPortalJobs();
        builder.AddPortalHealth();
        builder.AddOutboundPolicy();
        builder.Services.AddPortalRateLimiter();
        builder.AddAccounts();
        builder.AddSettings();
        builder.AddPlatform();
        builder.AddAudit();
        builder.AddCatalog();
        builder.AddIntegrations();
        builder.AddDelivery();
        builder.AddMqtt();
        builder.AddRecipients();
        builder.AddResources();
        builder.AddIngestion();
        builder.AddFlows();
        builder.AddUplinks();
        builder.AddProviderRouting();
        builder.AddOperations();
        builder.AddApiKeys();
        builder.AddPortalApi();
        return builder;
    }
}
