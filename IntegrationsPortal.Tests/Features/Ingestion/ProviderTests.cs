using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Ingestion.Providers;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Ingestion;

/// <summary>Each provider against its fake on loopback: paging, units, and the clear errors that stop a run.</summary>
public class ProviderTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private FakeIngressProviders _fake = default!;
    private ServiceProvider _services = default!;

    public async ValueTask InitializeAsync()
    {
        _fake = await FakeIngressProviders.StartAsync();
        _services = new ServiceCollection().AddHttpClient().AddSingleton(TimeProvider.System).AddSingleton<ProviderHttp>().BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task UtilityData_PagesThroughAWindow_WithEveryIntervalOnce()
    {
        var provider = new UtilityDataProvider(Http);
        var all = new List<ExternalReading>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await provider.FetchAsync(Integration("utility-data"), new IngressRequest(Day, Day.AddDays(1), cursor, ["M-1", "M-22"], []), Ct);
            all.AddRange(page.Readings);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(2 * 96, all.Count); // two meters, 96 quarters
        Assert.True(pages > 1, "the fake pages every 50 readings");
        Assert.Equal(all.Count, all.Select(r => (r.ExternalId, r.Timestamp)).Distinct().Count());
        var sample = all.Single(r => r.ExternalId == "M-22" && r.Timestamp == Day.AddHours(5).AddMinutes(30));
        Assert.Equal(("energy_kwh", "kWh", FakeIngressProviders.Kwh("M-22", Day.AddHours(5).AddMinutes(30))), (sample.Metric, sample.Unit, sample.Value));
    }

    [Fact]
    public async Task Telematics_ReadsGpsAndOdometer_AcrossPages_InKilometres()
    {
        var provider = new TelematicsProvider(Http);
        var first = await provider.FetchAsync(Integration("telematics"), new IngressRequest(Day, Day.AddHours(2), null, ["V-1", "V-2"], []), Ct);
        var second = await provider.FetchAsync(Integration("telematics"), new IngressRequest(Day, Day.AddHours(2), first.NextCursor, ["V-1", "V-2"], []), Ct);

        Assert.Equal("page-2", first.NextCursor);
        Assert.Null(second.NextCursor);
        Assert.All(first.Readings, r => Assert.Equal("V-1", r.ExternalId));
        Assert.All(second.Readings, r => Assert.Equal("V-2", r.ExternalId));
        var odometer = first.Readings.Single(r => r.Metric == "odometer_km" && r.Timestamp == Day.AddHours(1));
        Assert.Equal((1_001.0, "km"), (odometer.Value, odometer.Unit));
        Assert.Equal(2, first.Readings.Count(r => r.Metric == "latitude"));
    }

    [Fact]
    public async Task Weather_AsksPerPlace_AndKeepsOnlyTheWindow()
    {
        var provider = new OpenMeteoProvider(Http);
        PlaceCoordinates[] places = [new("BER", 52.52, 13.41), new("HAM", 53.55, 9.99)];
        var first = await provider.FetchAsync(Integration("open-meteo"), new IngressRequest(Day.AddHours(6), Day.AddHours(12), null, ["BER", "HAM"], places), Ct);
        var second = await provider.FetchAsync(Integration("open-meteo"), new IngressRequest(Day.AddHours(6), Day.AddHours(12), first.NextCursor, ["BER", "HAM"], places), Ct);

        Assert.Equal(6, first.Readings.Count);
        Assert.All(first.Readings, r => Assert.Equal(("BER", "temperature_2m", "°C"), (r.ExternalId, r.Metric, r.Unit)));
        Assert.Equal(FakeIngressProviders.Temperature(Day.AddHours(7)), first.Readings.Single(r => r.Timestamp == Day.AddHours(7)).Value);
        Assert.All(second.Readings, r => Assert.Equal("HAM", r.ExternalId));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task MalformedPage_IsAClearFormatError()
    {
        _fake.Malformed = true;

        var error = await Assert.ThrowsAsync<ProviderFormatException>(() =>
            new UtilityDataProvider(Http).FetchAsync(Integration("utility-data"), new IngressRequest(Day, Day.AddDays(1), null, ["M-1"], []), Ct));

        Assert.Contains("timestamp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongToken_IsAnAuthenticationFailure_WithoutTheToken()
    {
        var error = await Assert.ThrowsAsync<ProviderAuthenticationException>(() =>
            new TelematicsProvider(Http).FetchAsync(Integration("telematics", token: "stale-token-0000"), new IngressRequest(Day, Day.AddHours(1), null, ["V-1"], []), Ct));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("stale-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimit_CarriesTheRetryAfterHint()
    {
        _fake.RateLimitNext = 1;

        var error = await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            new UtilityDataProvider(Http).FetchAsync(Integration("utility-data"), new IngressRequest(Day, Day.AddDays(1), null, ["M-1"], []), Ct));

        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
    }

    private ProviderHttp Http => _services.GetRequiredService<ProviderHttp>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ConfiguredIntegration Integration(string typeKey, string token = FakeIngressProviders.Token) => new(
        Guid.CreateVersion7(), CatalogService.Get(typeKey),
        new Dictionary<string, string> { ["base_url"] = _fake.BaseUri.ToString(), ["variables"] = "temperature_2m" },
        new Dictionary<string, string> { ["api_token"] = token }, 1, IntegrationStatus.Active);
}

[OnPostgreSQL]
public sealed class ProviderOnPostgreSQLTests : ProviderTests;
