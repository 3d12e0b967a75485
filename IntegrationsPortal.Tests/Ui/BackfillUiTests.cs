using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>An operator backfills 30 days of a utility-data integration and watches it, in Chromium, then sees the meter's latest readings.</summary>
public sealed class BackfillUiTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private readonly PortalAppFactory _app = new();
    private FakeIngressProviders _fake = default!;
    private Tenant _acme = default!;
    private Guid _integration;

    protected override Uri RootUri => _app.RootUri!;

    public override async ValueTask InitializeAsync()
    {
        _fake = await FakeIngressProviders.StartAsync();
        _app.StartOnLoopback();
        _acme = await _app.Services.SetUpFirstOrganizationAsync();
        await using (var scope = _app.Services.AsAdmin(_acme))
        {
            var services = scope.ServiceProvider;
            _integration = await services.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "utility-data",
                Name = "Site meters",
                Properties = new() { ["base_url"] = _fake.BaseUri.ToString(), ["api_token"] = FakeIngressProviders.Token, ["interval_minutes"] = "1440" },
            });
            var places = services.GetRequiredService<PlaceService>();
            var devices = services.GetRequiredService<DeviceService>();
            var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Site" });
            var meter = await devices.CreateDeviceAsync(new DeviceInput { Name = "Main meter", PlaceId = site, DeviceType = "meter" });
            await services.GetRequiredService<ResourceMappingService>().CreateAsync(_integration,
                new MappingInput { ExternalId = "M-1", ResourcePath = ResourcePath.ForDevice(site, meter) });
        }

        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task Operator_Backfills30Days_WatchesProgress_Cancels_Resumes_AndSeesTheChart()
    {
        await SignInAsync(_acme.AdminEmail);
        await GotoInteractiveAsync($"/integrations/{_integration}");
        await Expect(ByTestId("status-badge")).ToHaveTextAsync("active", new() { Timeout = 20_000 });
        await Page.GetByRole(AriaRole.Tab, new() { Name = "Data" }).ClickAsync();
        await Page.EvaluateAsync("() => window.noReloadMarker = 'still here'");

        // Slow enough to watch (and to cancel before the end, even on a busy machine): each provider
        // answer takes 300 ms, two pages a day, so the 30 days take about 18 s.
        _fake.Latency = TimeSpan.FromMilliseconds(300);
        await ByTestId("backfill-open").ClickAsync();
        await Expect(ByTestId("backfill-preview")).ToContainTextAsync("30 window(s)");
        await ByTestId("backfill-start").ClickAsync();

        var backfill = Page.Locator("tr", new() { HasText = "backfill" });
        await Expect(backfill.GetByTestId("run-windows")).ToContainTextAsync(new Regex(@"^[1-9]\d* / 30 windows"), new() { Timeout = 15_000 });
        await backfill.GetByTestId("run-cancel").ClickAsync();
        await Expect(backfill.GetByTestId("run-status")).ToHaveTextAsync("cancelled", new() { Timeout = 15_000 });
        var stoppedAt = await backfill.GetByTestId("run-windows").TextContentAsync();
        Assert.DoesNotContain("30 / 30", stoppedAt, StringComparison.Ordinal);

        _fake.Latency = TimeSpan.Zero;
        await backfill.GetByTestId("run-resume").ClickAsync();
        await Expect(backfill.GetByTestId("run-status")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        await Expect(backfill.GetByTestId("run-windows")).ToContainTextAsync("30 / 30 windows");
        await Expect(backfill.GetByTestId("run-readings")).ToHaveTextAsync((30 * 96).ToString("N0", System.Globalization.CultureInfo.CurrentCulture));
        await Expect(ByTestId("chart")).ToBeVisibleAsync();
        await Expect(ByTestId("chart-count")).ToContainTextAsync("readings");
        Assert.Equal("still here", await Page.EvaluateAsync<string>("() => window.noReloadMarker"));

        // The meter's own page shows what came in.
        await GotoInteractiveAsync("/places");
        await ByTestId("place-node-Site").ClickAsync();
        await Expect(Page.Locator("tr", new() { HasText = "Main meter" }).GetByTestId("latest-readings")).ToContainTextAsync("energy_kwh");
    }

    /// <summary>
    /// A Cancel click lands while the run's progress ticks several times a second. The click is held
    /// for 150 ms, as a person's is: when a live refresh replaces the button between mouse down and
    /// mouse up, the browser sends the click to neither, and the run goes on to completed.
    /// </summary>
    [Fact]
    public async Task Cancel_ClickedWhileProgressTicks_StopsTheRun_EveryTime()
    {
        const int Runs = 5;
        await SignInAsync(_acme.AdminEmail);
        await GotoInteractiveAsync($"/integrations/{_integration}");
        await Expect(ByTestId("status-badge")).ToHaveTextAsync("active", new() { Timeout = 20_000 });
        await Page.GetByRole(AriaRole.Tab, new() { Name = "Data" }).ClickAsync();
        // About ten provider answers a second, each one a progress event; 60 pages take 6 s or more.
        _fake.Latency = TimeSpan.FromMilliseconds(100);

        for (var run = 1; run <= Runs; run++)
        {
            await ByTestId("backfill-open").ClickAsync();
            await Expect(ByTestId("backfill-preview")).ToContainTextAsync("30 window(s)");
            await ByTestId("backfill-start").ClickAsync();

            // Runs are listed newest first: this run's row is the first backfill row.
            var row = Page.Locator("tr", new() { HasText = "backfill" }).First;
            var windows = row.GetByTestId("run-windows");
            await Expect(windows).ToContainTextAsync(new Regex(@"^[1-9]\d* / 30 windows"), new() { Timeout = 15_000 });

            // The button under the pointer must be the same element from one tick to the next.
            var cancel = row.GetByTestId("run-cancel");
            await cancel.EvaluateAsync("b => window.cancelButton = b");
            var seen = await windows.TextContentAsync();
            await Expect(windows).Not.ToHaveTextAsync(seen!, new() { Timeout = 10_000 });
            Assert.True(await Page.EvaluateAsync<bool>("() => window.cancelButton.isConnected"),
                $"Run {run}: a progress tick replaced the Cancel button ({seen} -> {await windows.TextContentAsync()}).");

            await cancel.ClickAsync(new() { Delay = 150 });
            await Expect(row.GetByTestId("run-status")).ToHaveTextAsync("cancelled", new() { Timeout = 15_000 });
            Assert.DoesNotContain("30 / 30", await windows.TextContentAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnmappedIdInARunsNotes_OpensTheMappingFormWithThatIdFilledIn()
    {
        _fake.UnmappedMeter = "M-999";
        await SignInAsync(_acme.AdminEmail);
        await GotoInteractiveAsync($"/integrations/{_integration}");
        await Expect(ByTestId("status-badge")).ToHaveTextAsync("active", new() { Timeout = 20_000 });
        await Page.GetByRole(AriaRole.Tab, new() { Name = "Data" }).ClickAsync();

        await ByTestId("pull-now").ClickAsync();
        var link = Page.GetByTestId("run-map-id").Filter(new() { HasText = "M-999" }).First;
        await link.ClickAsync(new() { Timeout = 30_000 });

        await Expect(ByTestId("mapping-form")).ToBeVisibleAsync();
        await Expect(Page.Locator("#mapping-external-id")).ToHaveValueAsync("M-999");
    }
}
