using System.Net;
using System.Net.Http.Headers;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Features.Uplinks;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>
/// The flow editor's canvas in Chromium: an operator drags a device, a function and two webhooks from the
/// palette, connects them port to port, tests the function and deploys; an uplink from the device then
/// reaches both loopback receivers through the function, and the flow history links both deliveries. The same
/// walk to a capability: the routing rule picks the integration whose receiver gets the uplink.
/// </summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed class FlowCanvasUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    // A test run has no device in its context: the function names one of its own then.
    private const string Code = "function transform(message, context) {\n  var device = (context.device || { name: 'no device' }).name;\n  console.log('uplink from', device);\n  return { celsius: message.uplink_message.decoded_payload.temperature, device: device };\n}";

    private static readonly LocatorAssertionsToHaveCountOptions Slow = new() { Timeout = 30_000 };

    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Canvas_DragConnectTestDeploy_AnUplinkReachesBothReceiversThroughTheFunction()
    {
        var unique = Guid.NewGuid().ToString("N")[..8];
        var device = $"Canvas meter {unique}";
        var eui = $"70B3D57E{unique.ToUpperInvariant()}";
        await using var primaryReceiver = await LoopbackReceiver.StartAsync();
        await using var backupReceiver = await LoopbackReceiver.StartAsync();
        var (flow, uplinks, token) = await ArrangeAsync(unique, device, eui);
        foreach (var (receiver, name) in new[] { (primaryReceiver, $"Canvas primary {unique}"), (backupReceiver, $"Canvas backup {unique}") })
        {
            var id = await portal.CreateAsync("webhook", name, new() { ["url"] = new Uri(receiver.Url, "in").ToString(), ["auth"] = "NONE" });
            Assert.Equal(IntegrationStatus.Active, (await portal.App.Services.WaitUntilVerifiedAsync(portal.Acme, id)).Status);
        }

        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync($"/flows/{flow}/edit");
        var canvas = await ByTestId("flow-canvas").BoundingBoxAsync() ?? throw new InvalidOperationException("The canvas is not shown.");
        var right = Math.Min(canvas.Width / 2, 260);

        // A 2 x 2 grid: device and function above, the two webhooks below.
        await DropAsync($"palette-source-{device}", 20, 40, "source-1");
        await DropAsync("palette-function", right, 40, "function-1");
        await DropAsync($"palette-integration-Canvas primary {unique}", 20, 240, "destination-1");
        await DropAsync($"palette-integration-Canvas backup {unique}", right, 240, "destination-2");
        await Expect(ByTestId("canvas-node-source-1")).ToContainTextAsync(device);
        await Expect(ByTestId("canvas-node-destination-2")).ToContainTextAsync($"Canvas backup {unique}");

        await ConnectAsync("source-1", "function-1");
        await ConnectAsync("function-1", "destination-1");
        await ConnectAsync("function-1", "destination-2");
        // A link the model refuses (here: drawn again, input to output) is not kept, and the canvas says why.
        await DragPortAsync("function-1-in", "source-1-out");
        await Expect(ByTestId("canvas-note")).ToContainTextAsync("connected already", new() { Timeout = 30_000 });
        await Expect(Page.Locator("[data-link-id]")).ToHaveCountAsync(3);

        await ByTestId("canvas-node-function-1").ClickAsync();
        await ByTestId("function-code").FillAsync(Code);
        await ByTestId("test-sample").FillAsync(UplinkSamples.ThingsStack(eui, 1));
        await ByTestId("test-function").ClickAsync();
        await Expect(ByTestId("test-output")).ToHaveTextAsync("""{"celsius":21.5,"device":"no device"}""", new() { Timeout = 30_000 });
        await Expect(ByTestId("test-logs")).ToHaveTextAsync("uplink from no device", new() { Timeout = 30_000 });
        await ExpectNoSeriousAccessibilityViolationsAsync("/flows/{id}/edit with the canvas built", within: "main");

        await ByTestId("deploy").ClickAsync();
        await Expect(ByTestId("deployed-version")).ToHaveTextAsync("Running version 1", new() { Timeout = 30_000 });
        await Expect(ByTestId("unsaved")).ToHaveCountAsync(0, Slow);

        using (var network = new HttpClient { BaseAddress = RootUri })
        using (var push = new HttpRequestMessage(HttpMethod.Post, UplinksExtensions.EndpointPath(uplinks)) { Content = new StringContent(UplinkSamples.ThingsStack(eui, 7), System.Text.Encoding.UTF8, "application/json") })
        {
            push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await network.SendAsync(push, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        foreach (var receiver in new[] { primaryReceiver, backupReceiver })
        {
            var received = await ReceivedAsync(receiver);
            Assert.Contains("\"celsius\":21.5", received.Body, StringComparison.Ordinal);
            Assert.Contains($"\"device\":\"{device}\"", received.Body, StringComparison.Ordinal);
        }

        await GotoInteractiveAsync($"/flows/{flow}/history");
        await Expect(ByTestId("run-open")).ToHaveCountAsync(1, Slow);
        await ByTestId("run-open").ClickAsync();
        await Expect(ByTestId("run-step-function-1-0").GetByTestId("step-output")).ToContainTextAsync("\"celsius\":21.5", new() { Timeout = 30_000 });
        var deliveries = ByTestId("step-delivery");
        await Expect(deliveries).ToHaveCountAsync(2, Slow);
        foreach (var (step, name) in new[] { ("destination-1", $"Canvas primary {unique}"), ("destination-2", $"Canvas backup {unique}") })
        {
            var delivery = Page.Locator($"[data-testid^='run-step-{step}-']").GetByTestId("step-delivery");
            await Expect(delivery).ToBeEnabledAsync(new() { Timeout = 30_000 });
            await OpenDialogAsync(delivery);
            await Expect(ByTestId("delivery-dialog")).ToContainTextAsync(name, new() { Timeout = 30_000 });
            await Expect(ByTestId("delivery-dialog")).ToContainTextAsync("\"celsius\":21.5");
            await Page.Keyboard.PressAsync("Escape");
            await Expect(ByTestId("delivery-dialog")).ToHaveCountAsync(0, Slow);
        }
    }

    [Fact]
    public async Task Canvas_ToACapability_TheIntegrationTheRulePicksGetsTheUplink_AndTheHistoryShowsTheRoute()
    {
        var unique = Guid.NewGuid().ToString("N")[..8];
        var device = $"Routed meter {unique}";
        var eui = $"70B3D57F{unique.ToUpperInvariant()}";
        await using var chosenReceiver = await LoopbackReceiver.StartAsync();
        await using var fallbackReceiver = await LoopbackReceiver.StartAsync();
        var (flow, uplinks, token) = await ArrangeAsync(unique, device, eui);
        var (chosen, fallback) = ($"Routed primary {unique}", $"Routed fallback {unique}");
        var ids = new List<Guid>();
        foreach (var (receiver, name) in new[] { (chosenReceiver, chosen), (fallbackReceiver, fallback) })
        {
            var id = await portal.CreateAsync("webhook", name, new() { ["url"] = new Uri(receiver.Url, "in").ToString(), ["auth"] = "NONE" });
            Assert.Equal(IntegrationStatus.Active, (await portal.App.Services.WaitUntilVerifiedAsync(portal.Acme, id)).Status);
            ids.Add(id);
        }

        // The shared organization may hold other notify rules: this one is above them, and goes at the end.
        string rule;
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            rule = await scope.ServiceProvider.GetRequiredService<RoutingRuleService>().CreateAsync(new RoutingRuleInput
            {
                Capability = Capabilities.Notify, IntegrationId = ids[0], FallbackIntegrationId = ids[1], Priority = RoutingRuleService.MaxPriority,
            }, TestContext.Current.CancellationToken);
        }

        try
        {
            await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
            await GotoInteractiveAsync($"/flows/{flow}/edit");
            var canvas = await ByTestId("flow-canvas").BoundingBoxAsync() ?? throw new InvalidOperationException("The canvas is not shown.");
            var right = Math.Min(canvas.Width / 2, 260);
            await Expect(ByTestId($"palette-capability-{Capabilities.Notify}")).ToContainTextAsync(chosen, new() { Timeout = 30_000 });
            await DropAsync($"palette-source-{device}", 20, 40, "source-1");
            await DropAsync("palette-function", right, 40, "function-1");
            await DropAsync($"palette-capability-{Capabilities.Notify}", 20, 240, "destination-1");
            await ConnectAsync("source-1", "function-1");
            await ConnectAsync("function-1", "destination-1");
            await ByTestId("canvas-node-function-1").ClickAsync();
            await ByTestId("function-code").FillAsync(Code);

            await ByTestId("deploy").ClickAsync();
            await Expect(ByTestId("deployed-version")).ToHaveTextAsync("Running version 1", new() { Timeout = 30_000 });

            using (var network = new HttpClient { BaseAddress = RootUri })
            using (var push = new HttpRequestMessage(HttpMethod.Post, UplinksExtensions.EndpointPath(uplinks)) { Content = new StringContent(UplinkSamples.ThingsStack(eui, 7), System.Text.Encoding.UTF8, "application/json") })
            {
                push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await network.SendAsync(push, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            var received = await ReceivedAsync(chosenReceiver);
            Assert.Contains($"\"device\":\"{device}\"", received.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(fallbackReceiver.Requests, r => r.Method == "POST");

            await GotoInteractiveAsync($"/flows/{flow}/history");
            await Expect(ByTestId("run-open")).ToHaveCountAsync(1, Slow);
            await ByTestId("run-open").ClickAsync();
            var step = Page.Locator("[data-testid^='run-step-destination-1-']");
            await Expect(step.GetByTestId("step-note")).ToHaveTextAsync($"Routed notify to '{chosen}'.", new() { Timeout = 30_000 });
            var delivery = step.GetByTestId("step-delivery");
            await Expect(delivery).ToBeEnabledAsync(new() { Timeout = 30_000 });
            await OpenDialogAsync(delivery);
            await Expect(ByTestId("delivery-dialog")).ToContainTextAsync(chosen, new() { Timeout = 30_000 });
            await Expect(ByTestId("delivery-dialog")).ToContainTextAsync("\"celsius\":21.5");
        }
        finally
        {
            await using var scope = portal.App.Services.AsAdmin(portal.Acme);
            await scope.ServiceProvider.GetRequiredService<RoutingRuleService>().DeleteAsync(rule, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A device mapped to an active TTS uplink integration (its token issued), and a new flow.</summary>
    private async Task<(Guid Flow, Guid Uplinks, string Token)> ArrangeAsync(string unique, string device, string eui)
    {
        var uplinks = await portal.CreateAsync("tts-uplinks", $"Canvas TTS {unique}", []);
        Assert.Equal(IntegrationStatus.Active, (await portal.App.Services.WaitUntilVerifiedAsync(portal.Acme, uplinks)).Status);
        await using var scope = portal.App.Services.AsAdmin(portal.Acme);
        var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        var site = await places.CreatePlaceAsync(new PlaceInput { Name = $"Canvas site {unique}" });
        var meter = await devices.CreateDeviceAsync(new DeviceInput { Name = device, PlaceId = site, DeviceType = "sensor" });
        await scope.ServiceProvider.GetRequiredService<ResourceMappingService>()
            .CreateAsync(uplinks, new MappingInput { ExternalId = eui, ResourcePath = ResourcePath.ForDevice(site, meter) });
        var token = (await scope.ServiceProvider.GetRequiredService<UplinkTokens>().IssueAsync(uplinks)).Token;
        var flow = await scope.ServiceProvider.GetRequiredService<FlowService>().CreateAsync($"Canvas flow {unique}");
        return (flow, uplinks, token);
    }

    /// <summary>Drags a palette item onto the canvas (HTML5 drag and drop) and waits for its node.</summary>
    private async Task DropAsync(string paletteTestId, double x, double y, string nodeId)
    {
        await ByTestId(paletteTestId).DragToAsync(ByTestId("flow-canvas"), new() { TargetPosition = new() { X = (float)x + 20, Y = (float)y + 20 } });
        await Expect(ByTestId($"canvas-node-{nodeId}")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    private async Task ConnectAsync(string from, string to)
    {
        await DragPortAsync($"{from}-out", $"{to}-in");
        await Expect(Page.Locator($"[data-link-id='{from}->{to}']")).ToHaveCountAsync(1, Slow);
    }

    /// <summary>Presses on one port, moves in steps (each a pointer event the server sees in order) and releases on the other.</summary>
    private async Task DragPortAsync(string fromPort, string toPort)
    {
        var from = await CenterAsync(fromPort);
        var to = await CenterAsync(toPort);
        await Page.Mouse.MoveAsync(from.X, from.Y);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync((from.X + to.X) / 2, (from.Y + to.Y) / 2, new() { Steps = 4 });
        await Page.Mouse.MoveAsync(to.X, to.Y, new() { Steps = 4 });
        await Page.Mouse.UpAsync();
    }

    private async Task<(float X, float Y)> CenterAsync(string portId)
    {
        var port = Page.Locator($"[data-port-id='{portId}']");
        await Expect(port).ToBeVisibleAsync();
        var box = await port.BoundingBoxAsync() ?? throw new InvalidOperationException($"Port {portId} is not shown.");
        return (box.X + (box.Width / 2), box.Y + (box.Height / 2));
    }

    // The webhook's verification reached the receiver first (a HEAD with no body): wait for the message.
    private static Task<ReceivedRequest> ReceivedAsync(LoopbackReceiver receiver) =>
        Eventually.FoundAsync(() => receiver.Requests.FirstOrDefault(r => r.Method == "POST"), "the receiver to get the flow's POST", TimeSpan.FromSeconds(30));
}
