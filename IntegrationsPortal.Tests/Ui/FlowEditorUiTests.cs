using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>The flow editor in Chromium: an operator builds device -> function -> two webhooks from the side panel, tests the function, deploys.</summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed class FlowEditorUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    private const string Code = "function transform(message, context) {\n  console.log('seen', message.deviceName);\n  return { meter: message.deviceName, wh: message.value * 1000 };\n}";

    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task SidePanel_BuildsTestsAndDeploys_DeviceThroughAFunctionToTwoWebhooks()
    {
        await using var primaryReceiver = await LoopbackReceiver.StartAsync();
        await using var backupReceiver = await LoopbackReceiver.StartAsync();
        Guid flow;
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
            var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
            var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Editor site" }, TestContext.Current.CancellationToken);
            await devices.CreateDeviceAsync(new DeviceInput { Name = "Editor meter", PlaceId = site, DeviceType = "meter" }, TestContext.Current.CancellationToken);
            flow = await scope.ServiceProvider.GetRequiredService<FlowService>().CreateAsync("Editor flow", TestContext.Current.CancellationToken);
        }

        foreach (var (receiver, name) in new[] { (primaryReceiver, "Editor primary"), (backupReceiver, "Editor backup") })
        {
            var id = await portal.CreateAsync("webhook", name, new() { ["url"] = new Uri(receiver.Url, "in").ToString(), ["auth"] = "NONE" });
            Assert.Equal(IntegrationStatus.Active, (await portal.App.Services.WaitUntilVerifiedAsync(portal.Acme, id)).Status);
        }

        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync($"/flows/{flow}/edit");

        await ByTestId("add-source").ClickAsync();
        await PickOptionAsync("source-ref", "Editor meter", wholeText: false);
        await ByTestId("add-function").ClickAsync();
        await ByTestId("function-code").FillAsync(Code);
        await ByTestId("add-destination").ClickAsync();
        await PickOptionAsync("destination-integration", "Editor primary", wholeText: false);
        await ByTestId("add-destination").ClickAsync();
        await PickOptionAsync("destination-integration", "Editor backup", wholeText: false);
        await ConnectAsync("source-1", "function-1");
        await ConnectAsync("function-1", "destination-1");
        await ConnectAsync("function-1", "destination-2");
        await Expect(ByTestId("unsaved")).ToBeVisibleAsync();

        await ByTestId("node-function-1").ClickAsync();
        await ByTestId("test-function").ClickAsync();
        // The sandbox's first run on a loaded shared machine can take longer than Playwright's default 5 s.
        await Expect(ByTestId("test-output")).ToHaveTextAsync("""{"meter":"Main meter","wh":1500}""", new() { Timeout = 30_000 });
        await Expect(ByTestId("test-logs")).ToHaveTextAsync("seen Main meter", new() { Timeout = 30_000 });
        await ExpectNoSeriousAccessibilityViolationsAsync("/flows/{id}/edit with a function selected", within: "main");

        await ByTestId("deploy").ClickAsync();

        await Expect(ByTestId("deployed-version")).ToHaveTextAsync("Running version 1");
        await Expect(ByTestId("unsaved")).ToHaveCountAsync(0);
        await using var check = portal.App.Services.AsAdmin(portal.Acme);
        var deployed = await check.ServiceProvider.GetRequiredService<FlowService>().GetAsync(flow, TestContext.Current.CancellationToken);
        Assert.Equal(FlowState.Deployed, deployed.State);
        Assert.Equal(3, deployed.Draft.Edges.Count);
    }

    private async Task ConnectAsync(string from, string to)
    {
        await ByTestId($"node-{from}").ClickAsync();
        await PickOptionAsync("connect-to", $"({to})", wholeText: false);
        await ByTestId("connect").ClickAsync();
        await Expect(ByTestId($"connection-{from}-{to}")).ToBeVisibleAsync();
    }
}
