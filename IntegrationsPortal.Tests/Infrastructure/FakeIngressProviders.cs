using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// Fake ingress providers on a loopback port, in their wire formats: UtilityAPI-style intervals
/// (15-minute kWh per meter, 50 to a page, paged with a "next" cursor), Samsara-style vehicle stats history
/// (paged with endCursor/hasNextPage) and Open-Meteo-style hourly series. Data is a pure function
/// of meter/vehicle and time, so any window can be asked for and checked. Switches make it rate
/// limit (429 with Retry-After), fail (503), refuse the token (401) or send malformed pages.
/// </summary>
public sealed class FakeIngressProviders : IAsyncDisposable
{
    public const string Token = "ingress-token-2718";
    public const int PageSize = 50;

    private readonly WebApplication _app;
    private int _requests;

    private FakeIngressProviders(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public int Requests => _requests;

    /// <summary>The next this-many requests answer 429 with Retry-After: 1.</summary>
    public int RateLimitNext { get; set; }

    /// <summary>The next this-many requests answer 503.</summary>
    public int FailNext { get; set; }

    public bool Malformed { get; set; }

    /// <summary>
    /// Called with the running count as each request arrives, before it is answered: a test stops
    /// the portal at an exact request instead of racing the engine with a poll.
    /// </summary>
    public Func<int, Task>? OnRequest { get; set; }

    /// <summary>How long each answer takes, so a browser test can watch a backfill move.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>A meter on the provider's account that nobody mapped: it comes back in every interval page.</summary>
    public string? UnmappedMeter { get; set; }

    /// <summary>Intervals sent beyond the requested end, as a provider that answers with the whole day does.</summary>
    public TimeSpan IntervalsPastEnd { get; set; }

    /// <summary>The start of the window each interval page was asked for, in the order asked: what a resumed backfill fetched again.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset> IntervalPagesAsked { get; } = new();

    /// <summary>The kWh a meter reads for the 15 minutes starting at <paramref name="start"/>.</summary>
    public static double Kwh(string meter, DateTimeOffset start) => (meter.Length + start.Hour * 4 + start.Minute / 15) / 10.0;

    public static double Temperature(DateTimeOffset hour) => hour.Hour - 5.5;

    public static async Task<FakeIngressProviders> StartAsync()
    {
        FakeIngressProviders? self = null;
        var (started, baseUri) = await LoopbackApp.StartAsync(app =>
        {
        app.Use(async (context, next) =>
        {
            var count = Interlocked.Increment(ref self!._requests);
            if (self.OnRequest is { } onRequest)
            {
                await onRequest(count);
            }
            if (self.Latency > TimeSpan.Zero)
            {
                await Task.Delay(self.Latency);
            }

            if (!AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization, out var auth) || auth.Parameter != Token)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("""{"error":"invalid_token"}""");
                return;
            }

            if (self.RateLimitNext > 0)
            {
                self.RateLimitNext--;
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
                return;
            }

            if (self.FailNext > 0)
            {
                self.FailNext--;
                context.Response.StatusCode = 503;
                return;
            }

            if (self.Malformed)
            {
                await context.Response.WriteAsync("""{"intervals":[{"meter_uid":"M-1","readings":[{"start":"yesterday","kwh":"lots"}]}],"data":[{"id":"V-1","obdOdometerMeters":[{"time":"x","value":1}]}],"pagination":{},"hourly":{"time":["2025-01-01T00:00"]}}""");
                return;
            }

            await next(context);
        });

        app.MapGet("/api/v2/intervals", (HttpRequest request) =>
        {
            var meters = request.Query["meters"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Concat(self!.UnmappedMeter is { } extra ? [extra] : Array.Empty<string>()).ToArray();
            var all = Quarters(Time(request.Query["start"]), Time(request.Query["end"]) + self!.IntervalsPastEnd)
                .SelectMany(start => meters.Select(meter => (meter, start))).ToList();
            var offset = int.Parse(request.Query["next"].FirstOrDefault() ?? "0", CultureInfo.InvariantCulture);
            self.IntervalPagesAsked.Enqueue(Time(request.Query["start"]));
            var page = all.Skip(offset).Take(PageSize).ToList();
            var body = new
            {
                intervals = page.GroupBy(r => r.meter).Select(g => new
                {
                    meter_uid = g.Key,
                    readings = g.Select(r => new { start = Iso(r.start), end = Iso(r.start.AddMinutes(15)), kwh = Kwh(r.meter, r.start) }),
                }),
                next = offset + PageSize < all.Count ? (offset + PageSize).ToString(CultureInfo.InvariantCulture) : null,
            };
            return Results.Json(body);
        });

        app.MapGet("/api/v2/authorizations", () => Results.Json(new { authorizations = Array.Empty<object>(), next = (string?)null }));

        app.MapGet("/fleet/vehicles/stats/history", (HttpRequest request) =>
        {
            var vehicles = request.Query["vehicleIds"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
            var after = request.Query["after"].FirstOrDefault();
            // Two pages: the first vehicle alone, then the rest.
            var page = after is null ? vehicles.Take(1) : vehicles.Skip(1);
            var hours = Hours(Time(request.Query["startTime"]), Time(request.Query["endTime"])).ToList();
            return Results.Json(new
            {
                data = page.Select(id => new
                {
                    id,
                    gps = hours.Select(h => new { time = Iso(h), latitude = 52.5, longitude = 13.4 }),
                    obdOdometerMeters = hours.Select(h => new { time = Iso(h), value = 1_000_000 + h.Hour * 1000 }),
                }),
                pagination = new { endCursor = after is null && vehicles.Length > 1 ? "page-2" : "", hasNextPage = after is null && vehicles.Length > 1 },
            });
        });

        app.MapGet("/v1/forecast", (HttpRequest request) =>
        {
            var from = DateTimeOffset.Parse(request.Query["start_date"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var to = DateTimeOffset.Parse(request.Query["end_date"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).AddDays(1);
            var hours = Hours(from, to).ToList();
            return Results.Json(new
            {
                latitude = double.Parse(request.Query["latitude"]!, CultureInfo.InvariantCulture),
                hourly_units = new Dictionary<string, string> { ["time"] = "iso8601", ["temperature_2m"] = "°C" },
                hourly = new Dictionary<string, object>
                {
                    ["time"] = hours.Select(h => h.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture)),
                    ["temperature_2m"] = hours.Select(Temperature),
                },
            });
        });

        });
        self = new FakeIngressProviders(started, baseUri);
        return self;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static DateTimeOffset Time(string? text) =>
        DateTimeOffset.Parse(text!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static IEnumerable<DateTimeOffset> Quarters(DateTimeOffset from, DateTimeOffset to)
    {
        for (var t = from; t < to; t = t.AddMinutes(15))
        {
            yield return t;
        }
    }

    private static IEnumerable<DateTimeOffset> Hours(DateTimeOffset from, DateTimeOffset to)
    {
        for (var t = from; t < to; t = t.AddHours(1))
        {
            yield return t;
        }
    }

    public static string Serialize(object value) => JsonSerializer.Serialize(value);
}
