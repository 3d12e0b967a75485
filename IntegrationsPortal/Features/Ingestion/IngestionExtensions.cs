using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Ingestion.Providers;
using IntegrationsPortal.Infrastructure.Http;
using Quartz;

namespace IntegrationsPortal.Features.Ingestion;

public static class IngestionExtensions
{
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<ReadingWriter>();
        services.AddScoped<ReadingQueries>();
        services.AddSingleton<IngestionTelemetry>();
        services.AddScoped<IngestionEngine>();
        services.AddScoped<IMappedResources, MappedResources>();
        services.AddScoped<IngestionService>();
        services.AddSingleton<IngestionScheduler>();
        services.AddSingleton<IngestionEvents>();
        services.AddHostedService<PullScheduleFollower>();
        services.AddSingleton<ProviderHttp>();
        services.AddTypeCodeRequirement<IngressProviderRequirement>();
        services.AddTypeCode<UtilityDataProvider>();
        services.AddTypeCode<TelematicsProvider>();
        services.AddTypeCode<OpenMeteoProvider>();
        // The one client that follows redirects (an API that moved): each hop connects through the
        // policy's callback, so a redirect to an inner address is refused like a base URL would be.
        services.AddOutboundHttpClient(ProviderHttp.HttpClientName, TimeSpan.FromSeconds(60), (_, handler) =>
        {
            handler.AllowAutoRedirect = true;
            handler.MaxAutomaticRedirections = 5;
        });
        services.AddQuartz(quartz => quartz.ScheduleJob<IngestionScheduleJob>(
            trigger => trigger.WithIdentity("ingestion-schedule").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()),
            job => job.WithIdentity(IngestionScheduleJob.Key)));
        return builder;
    }
}
