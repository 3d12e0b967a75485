namespace IntegrationsPortal.Features.Ingestion;

public static class IngestionExtensions
{
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReadingWriter>();
        builder.Services.AddScoped<ReadingQueries>();
        return builder;
    }
}
