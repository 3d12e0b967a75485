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

    /// <summary>
    /// A named client for calls to the outside world: every connection it opens goes through
    /// <see cref="OutboundAddressPolicy"/>. <paramref name="configure"/> tunes the handler
    /// (connections per server, redirects) without leaving the policy.
    /// </summary>
    public static IHttpClientBuilder AddOutboundHttpClient(
        this IServiceCollection services, string name, TimeSpan timeout, Action<IServiceProvider, SocketsHttpHandler>? configure = null) =>
        services.AddHttpClient(name, client =>
            {
                client.Timeout = timeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("IntegrationsPortal/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var handler = sp.GetRequiredService<OutboundAddressPolicy>().CreateHandler();
                configure?.Invoke(sp, handler);
                return handler;
            });
}
