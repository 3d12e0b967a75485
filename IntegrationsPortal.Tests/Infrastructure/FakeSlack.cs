using System.Collections.Concurrent;
using System.Text.Json;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// Slack's incoming webhooks on a loopback port, in their wire format: <c>POST /services/T../B../secret</c>
/// with a JSON body; the answer is plain text, <c>ok</c> with 200 when a message was posted, else an
/// error code with its status: 400 <c>invalid_payload</c> (not JSON) or <c>no_text</c> (nothing to
/// post), 403 <c>invalid_token</c>, 404 <c>no_service</c> (no such hook), 410 <c>channel_is_archived</c>,
/// 429 <c>rate_limited</c> with Retry-After. Keeps what was posted and every request.
/// </summary>
public sealed class FakeSlack : IAsyncDisposable
{
    public const string HookPath = "services/T0FAKE001/B0FAKE002/hooksecret9f2c7d1e";

    private readonly WebApplication _app;

    private FakeSlack(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>The live hook's URL; any other path under /services is "no_service".</summary>
    public Uri HookUrl => new(BaseUri, HookPath);

    /// <summary>What the channel shows: the text of every message posted.</summary>
    public ConcurrentQueue<string> Posted { get; } = new();

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Set to make the hook answer this instead (an archived channel, a revoked token, rate limiting).</summary>
    public (int Status, string Error)? Failure { get; set; }

    public static async Task<FakeSlack> StartAsync()
    {
        FakeSlack? fake = null;
        var (app, baseUri) = await LoopbackApp.StartAsync(app => app.MapPost("/services/{**path}", async (string path, HttpContext context) =>
        {
            var request = await ReceivedRequest.ReadAsync(context.Request);
            fake!.Requests.Enqueue(request);
            var body = request.Body;
            if ("services/" + path != HookPath)
            {
                return Results.Text("no_service", statusCode: 404);
            }

            if (fake.Failure is var (status, error))
            {
                if (status == 429)
                {
                    context.Response.Headers.RetryAfter = "30";
                }

                return Results.Text(error, statusCode: status);
            }

            string? text;
            try
            {
                using var json = JsonDocument.Parse(body);
                text = json.RootElement.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            }
            catch (JsonException)
            {
                return Results.Text("invalid_payload", statusCode: 400);
            }

            if (string.IsNullOrEmpty(text))
            {
                return Results.Text("no_text", statusCode: 400);
            }

            fake.Posted.Enqueue(text);
            return Results.Text("ok");
        }));
        fake = new FakeSlack(app, baseUri);
        return fake;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
