using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationsPortal.Features.Resources;

public static class ResourcesExtensions
{
    /// <summary>
    /// Registers the feature. The mapping rules default to <see cref="NoIntegrationResourceRules"/>
    /// (every integration "not found") until the Integrations feature registers its own; TryAdd lets
    /// that registration come before or after this one.
    /// </summary>
    public static IHostApplicationBuilder AddResources(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PlacesService>();
        builder.Services.AddScoped<ResourcePathService>();
        builder.Services.AddScoped<ResourceMappingService>();
        builder.Services.TryAddScoped<IIntegrationResourceRules, NoIntegrationResourceRules>();
        return builder;
    }
}
