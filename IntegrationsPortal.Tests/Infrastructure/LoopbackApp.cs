using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>A small ASP.NET Core app on a free loopback port: the base of every fake provider and receiver in the tests.</summary>
public static class LoopbackApp
{
    /// <summary>Builds the app, lets <paramref name="map"/> add its middleware and endpoints, starts it, and returns it with its base address.</summary>
    public static async Task<(WebApplication App, Uri BaseUri)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>A JSON answer with a status, as provider APIs send their errors.</summary>
    public static IResult Json(int status, string body) => Results.Text(body, "application/json", Encoding.UTF8, status);

    /// <summary>"user:password" from an HTTP Basic Authorization header; null without one.</summary>
    public static string? BasicCredentials(HttpRequest request) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme == "Basic" && header.Parameter is { } value
            ? Encoding.UTF8.GetString(Convert.FromBase64String(value))
            : null;
}
