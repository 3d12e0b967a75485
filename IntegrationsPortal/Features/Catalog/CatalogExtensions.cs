namespace IntegrationsPortal.Features.Catalog;

public static class CatalogExtensions
{
    /// <summary>
    /// The catalog and the registry of each type's code (docs/decisions/010). The features that own the code
    /// register it with <see cref="IntegrationTypeCodeExtensions.AddTypeCode{T}"/> in their own AddXxx.
    /// </summary>
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IntegrationTypeRegistry>();
        builder.Services.AddHostedService<IntegrationTypeCheck>();
        builder.Services.AddScoped<CatalogService>();
        return builder;
    }
}
