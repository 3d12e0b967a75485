using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Ingestion.Providers;
using Quartz;

namespace IntegrationsPortal.Features.Ingestion;

public static class IngestionExtensions
{
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<ReadingWriter>();
        services.AddScoped<ReadingQueries>();
        services.AddScoped<IngestionEngine>();
        services.AddScoped<IMappedResources, MappedResources>();
        services.AddScoped<IngestionService>();
        services.AddSingleton<IngestionScheduler>();
        services.AddSingleton<IngestionEvents>();
        services.AddSingleton<ProviderHttp>();
        services.AddTypeCode<UtilityDataProvider>();
        services.AddTypeCode<TelematicsProvider>();
        services.AddTypeCode<OpenMeteoProvider>();
        services.AddHttpClient(ProviderHttp.HttpClientName, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(60);
            client.DefaultRequestHeaders.UserAgent.ParseAdd("IntegrationsPortal/1.0");
        });
        services.AddQuartz(quartz => quartz.ScheduleJob<IngestionScheduleJob>(
            trigger => trigger.WithIdentity("ingestion-schedule").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()),
            job => job.WithIdentity(IngestionScheduleJob.Key)));
        return builder;
    }
}
