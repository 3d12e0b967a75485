using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Features.Operations;

public static class OperationsExtensions
{
    /// <summary>Operations routed by capability and delivered through the outbox (Features/Operations).</summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<OperationService>();
        builder.Services.AddSingleton<IOutboxObserver, OperationProgress>();
        return builder;
    }
}
