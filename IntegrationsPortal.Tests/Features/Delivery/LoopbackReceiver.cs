using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>What a receiver got.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>Reads the request as a fake received it; <see cref="Path"/> has the query string too.</summary>
    public static async Task<ReceivedRequest> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        return new ReceivedRequest(request.Method, request.Path + request.QueryString,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), await reader.ReadToEndAsync());
    }
}

/// <summary>
/// A small ASP.NET Core app on Kestrel at 127.0.0.1 on a free port: the far end of a delivery.
/// <see cref="Respond"/> decides each answer; every request (after the handler ran) is recorded.
/// </summary>
public sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Answers a request; the default is 200 with an empty JSON object.</summary>
    public Func<HttpContext, ReceivedRequest, Task> Respond { get; set; } = (context, _) => context.Response.WriteAsync("{}");

    public Uri Url { get; private set; } = default!;

    public static async Task<LoopbackReceiver> StartAsync()
    {
        LoopbackReceiver? receiver = null;
        var (app, baseUri) = await LoopbackApp.StartAsync(app => app.Run(async context =>
        {
            var request = await ReceivedRequest.ReadAsync(context.Request);
            await receiver!.Respond(context, request);
            receiver.Requests.Enqueue(request);
        }));
        receiver = new LoopbackReceiver(app) { Url = baseUri };
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
