using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The sending halves of Twilio and Plivo on a loopback port, in their wire formats: Twilio's
/// form-encoded <c>Messages.json</c> (SMS, or WhatsApp with <c>whatsapp:</c> addresses) and
/// <c>Calls.json</c> (201 with the resource's JSON), Plivo's
/// JSON Message API (202 "message(s) queued"). Both check Basic auth against the credentials in
/// <see cref="IntegrationSeeds"/> and answer 401 in the provider's error shape otherwise. Every
/// request is kept, so a test can read the verification code a text carried.
/// </summary>
public sealed partial class FakeMessagingProviders : IAsyncDisposable
{
    public const string PlivoAuthId = "MAODUZYTLKZJYTEXAMPL";
    public const string PlivoToken = "plivo-token-5d41402abc";

    private static readonly string[] PlivoFields = ["src", "dst", "text"];

    private readonly WebApplication _app;

    private FakeMessagingProviders(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>A number Twilio refuses with 400 (code 21211), as Twilio's own test number +15005550001 does.</summary>
    public const string InvalidNumber = "+15005550001";

    public Uri BaseUri { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public static async Task<FakeMessagingProviders> StartAsync()
    {
        FakeMessagingProviders? fake = null;
        var (app, baseUri) = await LoopbackApp.StartAsync(app =>
        {
            // The account check verification makes, so integrations pointed here become active.
            app.MapGet("/2010-04-01/Accounts/{file}", (string file, HttpRequest request) =>
                file == $"{IntegrationSeeds.TwilioSid}.json" && LoopbackApp.BasicCredentials(request) == $"{IntegrationSeeds.TwilioSid}:{IntegrationSeeds.TwilioToken}"
                    ? LoopbackApp.Json(200, $$"""{"sid":"{{IntegrationSeeds.TwilioSid}}","friendly_name":"Acme","status":"active","type":"Full"}""")
                    : LoopbackApp.Json(401, FakeProviders.TwilioAuthenticateError));
            app.MapPost("/2010-04-01/Accounts/{sid}/{resource}", async (string sid, string resource, HttpContext context) =>
            {
                var request = await fake!.RecordAsync(context);
                if (sid != IntegrationSeeds.TwilioSid || LoopbackApp.BasicCredentials(context.Request) != $"{IntegrationSeeds.TwilioSid}:{IntegrationSeeds.TwilioToken}")
                {
                    return LoopbackApp.Json(401, FakeProviders.TwilioAuthenticateError);
                }

                var form = Form(request.Body);
                if (!form.TryGetValue("To", out var to) || !form.TryGetValue("From", out var from) || resource is not ("Messages.json" or "Calls.json"))
                {
                    return LoopbackApp.Json(400, """{"code":21604,"message":"A 'To' phone number is required.","status":400}""");
                }

                // Twilio's magic test number for a "To" it cannot reach (error 21211), as its test credentials answer.
                if (to == InvalidNumber)
                {
                    return LoopbackApp.Json(400, $$"""{"code":21211,"message":"The 'To' number {{to}} is not a valid phone number.","status":400}""");
                }

                // WhatsApp goes through the same Messages API, with both addresses in the whatsapp: scheme (Twilio error 21910 otherwise).
                if (to.StartsWith("whatsapp:", StringComparison.Ordinal) != from.StartsWith("whatsapp:", StringComparison.Ordinal))
                {
                    return LoopbackApp.Json(400, """{"code":21910,"message":"Invalid From and To pair. From and To should be of the same channel","status":400}""");
                }

                var prefix = resource == "Calls.json" ? "CA" : "SM";
                return LoopbackApp.Json(201, JsonSerializer.Serialize(new { sid = prefix + Guid.NewGuid().ToString("N"), account_sid = sid, to, from, status = "queued" }));
            });
            MapPlivoAccount(app);
            app.MapPost("/v1/Account/{authId}/Message/", async (string authId, HttpContext context) =>
            {
                var request = await fake!.RecordAsync(context);
                var apiId = Guid.NewGuid().ToString();
                if (authId != PlivoAuthId || LoopbackApp.BasicCredentials(context.Request) != $"{PlivoAuthId}:{PlivoToken}")
                {
                    return LoopbackApp.Json(401, JsonSerializer.Serialize(new { api_id = apiId, error = "authentication failed" }));
                }

                using var body = JsonDocument.Parse(request.Body);
                if (!context.Request.ContentType!.StartsWith("application/json", StringComparison.Ordinal)
                    || PlivoFields.Any(name => !body.RootElement.TryGetProperty(name, out _)))
                {
                    return LoopbackApp.Json(400, JsonSerializer.Serialize(new { api_id = apiId, error = "src, dst and text are required" }));
                }

                return LoopbackApp.Json(202, JsonSerializer.Serialize(new { api_id = apiId, message = "message(s) queued", message_uuid = new[] { Guid.NewGuid().ToString() } }));
            });
        });
        fake = new FakeMessagingProviders(app, baseUri);
        return fake;
    }

    /// <summary>Plivo's account lookup, which verification asks: answers for <see cref="PlivoAuthId"/> with <see cref="PlivoToken"/>.</summary>
    public static void MapPlivoAccount(IEndpointRouteBuilder app) =>
        app.MapGet("/v1/Account/{authId}/", (string authId, HttpRequest request) =>
            authId == PlivoAuthId && LoopbackApp.BasicCredentials(request) == $"{PlivoAuthId}:{PlivoToken}"
                ? LoopbackApp.Json(200, $$"""{"account_type":"standard","auth_id":"{{authId}}","name":"Acme","resource_uri":"/v1/Account/{{authId}}/"}""")
                : LoopbackApp.Json(401, """{"api_id":"c1b6b6a0","error":"authentication failed"}"""));

    /// <summary>The code in the last text sent to <paramref name="number"/>, as its owner would read it.</summary>
    public string LastCodeSentTo(string number)
    {
        var text = Requests.Where(r => r.Path.EndsWith("/Messages.json", StringComparison.Ordinal))
            .Select(r => Form(r.Body))
            .Last(form => form.GetValueOrDefault("To") == number)["Body"];
        return SixDigits().Match(text).Value;
    }

    /// <summary>A well-formed code that is not the one last sent to <paramref name="number"/>.</summary>
    public string WrongCodeFor(string number) =>
        ((int.Parse(LastCodeSentTo(number), CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    public IReadOnlyList<ReceivedRequest> To(string number) =>
        Requests.Where(r => Form(r.Body).GetValueOrDefault("To") == number).ToList();

    /// <summary>The form fields of a request Twilio received.</summary>
    public static Dictionary<string, string> Form(ReceivedRequest request) => Form(request.Body);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<ReceivedRequest> RecordAsync(HttpContext context)
    {
        var request = await ReceivedRequest.ReadAsync(context.Request);
        Requests.Enqueue(request);
        return request;
    }

    private static Dictionary<string, string> Form(string body) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body).ToDictionary(f => f.Key, f => f.Value.ToString());

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
