using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace IntegrationsPortal.Infrastructure.Security;

/// <summary>
/// The portal behind a TLS-terminating proxy: the client's address and scheme from X-Forwarded-For
/// and X-Forwarded-Proto, trusted only from the proxies and networks configured under
/// Portal:Proxy (a header from anyone else is ignored); HTTPS redirection when Portal:Proxy:HttpsRedirect
/// is set; cookies marked Secure whenever the request was https. No Server header either.
/// </summary>
public static class WebSecurityExtensions
{
    public static WebApplicationBuilder AddWebSecurity(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var proxy = builder.Configuration.GetSection("Portal:Proxy");
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var address in proxy.GetSection("KnownProxies").Get<string[]>() ?? [])
            {
                options.KnownProxies.Add(IPAddress.Parse(address));
            }

            foreach (var network in proxy.GetSection("KnownNetworks").Get<string[]>() ?? [])
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        // The port browsers reach the proxy's https on; without one the redirection does nothing.
        builder.Services.AddHttpsRedirection(options => options.HttpsPort = proxy.GetValue("HttpsPort", 443));
        builder.Services.AddAntiforgery(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return builder;
    }

    public static WebApplication UseWebSecurity(this WebApplication app)
    {
        var proxy = app.Configuration.GetSection("Portal:Proxy");
        if (proxy.GetSection("KnownProxies").Exists() || proxy.GetSection("KnownNetworks").Exists())
        {
            app.UseForwardedHeaders();
        }

        if (proxy.GetValue("HttpsRedirect", false))
        {
            app.UseHttpsRedirection();
        }

        app.UseMiddleware<SecurityHeadersMiddleware>();
        return app;
    }
}
