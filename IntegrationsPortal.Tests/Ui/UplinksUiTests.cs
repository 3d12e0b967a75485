using System.Net;
using System.Text;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Uplinks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

[Collection(SetUpPortalUiCollection.Name)]
public sealed class UplinksUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Operator_CreatesATtsUplinkIntegration_TheNetworkPushes_AndMappingTheUnmappedEuiBringsItsReadingsToTheDevice()
    {
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
            var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
            var plant = await places.CreatePlaceAsync(new PlaceInput { Name = "Uplink plant" }, TestContext.Current.CancellationToken);
            await devices.CreateDeviceAsync(new DeviceInput { Name = "Walk sensor", PlaceId = plant, DeviceType = "sensor" }, TestContext.Current.CancellationToken);
        }

        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations/new/tts-uplinks");
        await ByTestId("input-name").FillAsync("Plant TTS");
        await ByTestId("wizard-create").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/integrations/[0-9a-f-]{36}$"));

        // The page the wizard lands on: the URL and the token to paste into the TTS console, and where.
        await Expect(ByTestId("uplink-token-value")).ToBeVisibleAsync();
        var endpoint = new Uri((await ByTestId("uplink-endpoint").TextContentAsync())!.Trim());
        var token = (await ByTestId("uplink-token-value").TextContentAsync())!.Trim();
        await Expect(ByTestId("uplink-header-field")).ToHaveTextAsync("Additional headers");
        await Expect(ByTestId("status-badge")).ToHaveTextAsync("active", new() { Timeout = 20_000 });
        await ExpectNoSeriousAccessibilityViolationsAsync("an uplink integration's page with its token shown");
        await Page.EvaluateAsync("() => window.noReloadMarker = 'still here'");

        using var network = new HttpClient();
        Assert.Equal(HttpStatusCode.Accepted, await PushAsync(network, endpoint, token, frame: 1));

        // Arrives on the open page without a reload, unmapped; one click opens the mapping with the EUI filled in.
        await Expect(ByTestId("uplink-unmapped-eui")).ToHaveTextAsync(UplinkSamples.Eui, new() { Timeout = 10_000 });
        await ByTestId("uplink-map").ClickAsync();
        await Expect(ByTestId("mapping-external-id")).ToHaveValueAsync(UplinkSamples.Eui);
        await ByTestId("resource-search").FillAsync("Walk");
        await ByTestId("resource-option-Walk sensor").ClickAsync();
        await Expect(ByTestId("mapping-save")).ToBeEnabledAsync();
        await ByTestId("mapping-save").ClickAsync();
        await Expect(ByTestId("uplink-unmapped-eui")).ToHaveCountAsync(0);

        Assert.Equal(HttpStatusCode.Accepted, await PushAsync(network, endpoint, token, frame: 2));
        await Expect(ByTestId("uplink-hour-total")).ToHaveTextAsync("2 uplinks in the last hour", new() { Timeout = 10_000 });
        Assert.Equal("still here", await Page.EvaluateAsync<string>("() => window.noReloadMarker"));
        await ExpectNoSeriousAccessibilityViolationsAsync("an uplink integration's page after pushes");

        await GotoInteractiveAsync("/places");
        await ByTestId("place-node-Uplink plant").ClickAsync();
        var row = Page.Locator("tr", new() { Has = ByTestId("device-row-Walk sensor") });
        await Expect(row.GetByTestId("latest-readings")).ToContainTextAsync("temperature 21.5");
        await Expect(row.GetByTestId("device-last-uplink")).ToContainTextAsync("Last uplink");
    }

    /// <summary>What The Things Stack's webhook sends, with the token in the header its console's "Additional headers" adds.</summary>
    private static async Task<HttpStatusCode> PushAsync(HttpClient network, Uri endpoint, string token, long frame)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(UplinkSamples.ThingsStack(UplinkSamples.Eui, frame), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(UplinkHeaders.Token, token);
        using var response = await network.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
