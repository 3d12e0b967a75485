namespace IntegrationsPortal.Features.Resources;

public static class ResourcesExtensions
{
    /// <summary>
    /// Registers the feature. The mapping rules (<see cref="IIntegrationResourceRules"/>) come from the
    /// Integrations feature, which sits above this one (docs/decisions/041).
    /// </summary>
    public static IHostApplicationBuilder AddResources(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PlaceService>();
        builder.Services.AddScoped<DeviceService>();
        builder.Services.AddScoped<DeviceCsvImport>();
        builder.Services.AddScoped<ResourcePathService>();
        builder.Services.AddScoped<ResourceMappingService>();
        return builder;
    }
}
