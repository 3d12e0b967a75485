using IntegrationsPortal.Features.Operations;

namespace IntegrationsPortal.Features.Routing;

public static class RoutingExtensions
{
    /// <summary>Routing rules and the operations routed by them (Features/Routing).</summary>
    public static IHostApplicationBuilder AddProviderRouting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RoutingRuleService>();
        builder.Services.AddSingleton<RoutingRuleEvents>();
        builder.AddOperations();
        return builder;
    }
}
