namespace IntegrationsPortal.Features.Routing;

public static class RoutingExtensions
{
    /// <summary>Routing rules and the router that applies them (Features/Routing); operations register in AddOperations.</summary>
    public static IHostApplicationBuilder AddProviderRouting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RoutingRuleService>();
        builder.Services.AddSingleton<RoutingRuleEvents>();
        return builder;
    }
}
