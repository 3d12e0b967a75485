using System.Globalization;
using System.Text.RegularExpressions;
using Bunit;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Ingestion.Components;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Ingestion;

/// <summary>The Data tab's readings chart in bunit on the real services: what the operator reads off the axes and the picker.</summary>
public sealed class ReadingsChartTests : ComponentTest
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private readonly Guid _integrationId = Guid.CreateVersion7();

    [Fact]
    public async Task Picker_ShowsTheDevicesNameAndPlace_AndValueLabelsAreRounded()
    {
        var meter = await SeedAsync(Enumerable.Range(0, 12).Select(i => (Start.AddMinutes(37 * i), 1 + (0.1 * i))));

        var chart = RenderChart();

        Assert.Equal("HQ / Main meter", chart.Find("[data-testid=chart-resource]").GetAttribute("value"));
        Assert.DoesNotContain($"devices/{meter}", chart.Markup, StringComparison.Ordinal);
        // MudChart writes its value labels with the format it is given (bunit does not lay out the series, so the options are what can be read).
        var format = Options(chart).YAxisFormat;
        Assert.Equal("1.2", (0.1 + 1.1).ToString(format, CultureInfo.InvariantCulture)); // 1.2000000000000002 unformatted
    }

    [Fact]
    public async Task ASingleReading_IsDrawnAsAMarker()
    {
        await SeedAsync([(Start, 21.5)]);

        var chart = RenderChart();

        Assert.Equal("1 readings", chart.Find("[data-testid=chart-count]").TextContent.Trim());
        Assert.True(Options(chart).ShowDataMarkers); // a lone point has no line: without its marker nothing is drawn
    }

    [Fact]
    public async Task AGapOfDays_SplitsTheLine_AndTheTimeAxisEndsAtTheLatestReading()
    {
        // Hourly for a day, nothing for three days, hourly again until 10:20 on the last day.
        var first = Enumerable.Range(0, 24).Select(i => (Start.AddHours(i), 5.0));
        var second = Enumerable.Range(0, 11).Select(i => (Start.AddDays(4).AddMinutes(20).AddHours(i), 6.0));
        await SeedAsync([.. first, .. second]);

        var chart = RenderChart();

        Assert.Equal([24, 11], TheChart(chart).ChartSeries.Select(s => s.Data.Count));
        var latest = Start.AddDays(4).AddMinutes(20).AddHours(10);
        var times = chart.FindAll("[data-testid=chart] svg text")
            .Select(t => t.TextContent.Trim())
            .Where(l => Regex.IsMatch(l, @"^\d\d-\d\d \d\d:\d\d$"))
            .Select(l => DateTime.ParseExact($"2026-{l}", "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))
            .ToList();
        Assert.NotEmpty(times);
        Assert.All(times, t => Assert.True(t <= latest.UtcDateTime, $"the time axis runs to {t:MM-dd HH:mm}, past the latest reading {latest:MM-dd HH:mm}"));
    }

    private static TimeSeriesChartOptions Options(IRenderedComponent<ReadingsChart> chart) => Assert.IsType<TimeSeriesChartOptions>(TheChart(chart).ChartOptions);

    private static MudChart<double> TheChart(IRenderedComponent<ReadingsChart> chart) => chart.FindComponent<MudChart<double>>().Instance;

    private IRenderedComponent<ReadingsChart> RenderChart()
    {
        RenderPopovers();
        var chart = Render<ReadingsChart>(p => p.Add(x => x.IntegrationId, _integrationId));
        chart.WaitForElement("[data-testid=chart]");
        return chart;
    }

    /// <summary>A meter in HQ with the given energy readings brought in by the integration under test; returns the meter's id.</summary>
    private async Task<Guid> SeedAsync(IEnumerable<(DateTimeOffset At, double Value)> readings)
    {
        var (portal, acme) = await UsePortalServicesAsync();
        await using var scope = portal.Services.AsAdmin(acme);
        var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        var ct = Xunit.TestContext.Current.CancellationToken;
        var hq = await places.CreatePlaceAsync(new PlaceInput { Name = "HQ", TimeZone = "Europe/Berlin" }, ct);
        var meter = await devices.CreateDeviceAsync(new DeviceInput { Name = "Main meter", PlaceId = hq, DeviceType = "meter" }, ct);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.AddRange(readings.Select(r => new Reading
        {
            OrganizationId = acme.OrganizationId, ResourcePath = $"devices/{meter}", Metric = "energy",
            TimestampTicks = r.At.UtcTicks, Value = r.Value, Unit = "kWh", SourceIntegrationId = _integrationId,
        }));
        await db.SaveChangesAsync(ct);
        return meter;
    }
}
