using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// Hand-written stand-ins for the providers' "who am I" endpoints, on a real loopback port, speaking
/// their wire formats (status codes, auth schemes and JSON bodies as their API references show them).
/// Accepted credentials are the ones in <see cref="IntegrationSeeds"/>. Anything under
/// <see cref="Down"/> answers 503, like a provider in an outage.
/// </summary>
public sealed class FakeProviders : IAsyncDisposable
{
    public const string TelematicsToken = "samsara-token-31415926";

    private readonly WebApplication _app;

    private FakeProviders(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public Uri Down => new(BaseUri, "down/");

    /// <summary>"METHOD /path Scheme" of every request, in order: proof that a check really went out.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The form fields of every PaymentIntent Stripe was asked to create.</summary>
    public ConcurrentQueue<Dictionary<string, string>> PaymentIntents { get; } = new();

    /// <summary>Twilio's answer to a wrong account SID or auth token.</summary>
    public const string TwilioAuthenticateError =
        """{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}""";

    public static async Task<FakeProviders> StartAsync()
    {
        ConcurrentQueue<string>? requests = null;
        ConcurrentQueue<Dictionary<string, string>>? paymentIntents = null;
        var paymentIntentIds = new ConcurrentDictionary<string, string>();
        var (app, baseUri) = await LoopbackApp.StartAsync(app =>
        {
        app.Use(async (context, next) =>
        {
            requests?.Enqueue($"{context.Request.Method} {context.Request.Path} {Scheme(context.Request)}");
            await next(context);
        });

        app.MapGet("/2010-04-01/Accounts/{file}", (string file, HttpRequest request) =>
            file == $"{IntegrationSeeds.TwilioSid}.json" && LoopbackApp.BasicCredentials(request) == $"{IntegrationSeeds.TwilioSid}:{IntegrationSeeds.TwilioToken}"
                ? LoopbackApp.Json(200, $$"""{"sid":"{{IntegrationSeeds.TwilioSid}}","friendly_name":"Acme","status":"active","type":"Full"}""")
                : LoopbackApp.Json(401, TwilioAuthenticateError));
        app.MapGet("/v1/account", (HttpRequest request) => BearerToken(request) is { } key && key == IntegrationSeeds.StripeSecret
            ? LoopbackApp.Json(200, """{"id":"acct_123","object":"account","business_profile":{"name":"Acme"},"charges_enabled":true}""")
            : LoopbackApp.Json(401, $$$"""{"error":{"message":"Invalid API Key provided: {{{Mask(BearerToken(request))}}}","type":"invalid_request_error"}}"""));
        // Stripe's PaymentIntents API: form-encoded, Bearer secret key, an Idempotency-Key answered with the first result.
        app.MapPost("/v1/payment_intents", async (HttpRequest request) =>
        {
            if (BearerToken(request) != IntegrationSeeds.StripeSecret)
            {
                return LoopbackApp.Json(401, $$$"""{"error":{"message":"Invalid API Key provided: {{{Mask(BearerToken(request))}}}","type":"invalid_request_error"}}""");
            }

            var form = await request.ReadFormAsync();
            paymentIntents!.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
            if (!long.TryParse(form["amount"], out var amount) || amount < 1)
            {
                return LoopbackApp.Json(400, """{"error":{"code":"parameter_invalid_integer","message":"Invalid integer: amount","param":"amount","type":"invalid_request_error"}}""");
            }

            if (amount > 99_999_999)
            {
                return LoopbackApp.Json(400, """{"error":{"code":"amount_too_large","message":"Amount must be no more than $999,999.99","param":"amount","type":"invalid_request_error"}}""");
            }

            var key = request.Headers["Idempotency-Key"].ToString();
            var id = paymentIntentIds.GetOrAdd(key.Length > 0 ? key : Guid.NewGuid().ToString(), _ => "pi_" + Guid.NewGuid().ToString("N")[..24]);
            return LoopbackApp.Json(200, $$"""{"id":"{{id}}","object":"payment_intent","amount":{{amount}},"currency":"{{form["currency"]}}","status":"requires_payment_method","client_secret":"{{id}}_secret_x"}""");
        });
        FakeMessagingProviders.MapPlivoAccount(app);
        // Plivo's messaging is having an outage here (its account check above still answers): texts wait for a retry.
        app.MapPost("/v1/Account/{authId}/Message/", () => LoopbackApp.Json(503, """{"api_id":"c1b6b6a1","error":"service unavailable"}"""));
        app.MapGet("/me", (HttpRequest request) => BearerToken(request) == TelematicsToken
            ? LoopbackApp.Json(200, """{"data":{"id":"123","name":"Acme Fleet"}}""")
            : LoopbackApp.Json(401, """{"message":"Unauthorized","requestId":"7f1c2a"}"""));
        app.MapMethods("/hooks/ok", ["HEAD", "POST"], () => Results.StatusCode(405));
        app.MapMethods("/hooks/no-head", ["HEAD"], () => Results.StatusCode(501));
        app.Map("/down/{**rest}", () => LoopbackApp.Json(503, """{"message":"Service Unavailable"}"""));

        });
        var providers = new FakeProviders(app, baseUri);
        requests = providers.Requests;
        paymentIntents = providers.PaymentIntents;
        return providers;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static string Scheme(HttpRequest request) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) ? header.Scheme : "-";

    private static string? BearerToken(HttpRequest request) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme == "Bearer" ? header.Parameter : null;

    /// <summary>Stripe shows the key's mode prefix and last four characters only.</summary>
    private static string Mask(string? key) => key is { Length: > 12 } ? $"{key[..8]}****{key[^4..]}" : "****";
}
