namespace IntegrationsPortal.Infrastructure.Http;

public static class HttpExtensions
{
    /// <summary>The one outbound address policy every channel connects through.</summary>
    public static IHostApplicationBuilder AddOutboundPolicy(this IHostApplicationBuilder builder)
    {
        // Read when first needed, so settings added after this call (tests) still count.
        builder.Services.AddSingleton(sp =>
            sp.GetRequiredService<IConfiguration>().GetSection(OutboundPolicyOptions.Section).Get<OutboundPolicyOptions>() ?? new OutboundPolicyOptions());
        builder.Services.AddSingleton<OutboundAddressPolicy>();
        return builder;
    }
}
