using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>
/// The mappings panel on a utility-data integration's page in Chromium: add through the picker (only
/// meters offered: a thermostat is the wrong kind), a taken external id and a meter mapped once
/// refused as you type, search, remove.
/// </summary>
public sealed class ResourceMappingsPanelUiTests(ChromiumFixture chromium) : BrowserTest(chromium)
{
    private readonly PortalAppFactory _app = new();
    private Tenant _acme = default!;

    protected override Uri RootUri => _app.RootUri!;

    public override async ValueTask InitializeAsync()
    {
        _app.StartOnLoopback();
        _acme = await _app.Services.SetUpFirstOrganizationAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Operator_MapsTwoMetersThroughThePicker_IsRefusedAsYouType_AndRemovesOne()
    {
        Guid integration;
        await using (var scope = _app.Services.AsAdmin(_acme))
        {
            integration = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "utility-data",
                Name = "Meters",
                Properties = new() { ["base_url"] = "https://utility.example.test", ["api_token"] = "token-1234" },
            }, TestContext.Current.CancellationToken);
            var p = scope.ServiceProvider.GetRequiredService<PlaceService>();
            var d = scope.ServiceProvider.GetRequiredService<DeviceService>();
            var site = await p.CreatePlaceAsync(new PlaceInput { Name = "Site" }, TestContext.Current.CancellationToken);
            var ct = TestContext.Current.CancellationToken;
            await d.CreateDeviceAsync(new DeviceInput { Name = "M1", PlaceId = site, DeviceType = "meter" }, ct);
            await d.CreateDeviceAsync(new DeviceInput { Name = "M2", PlaceId = site, DeviceType = "meter" }, TestContext.Current.CancellationToken);
            await d.CreateDeviceAsync(new DeviceInput { Name = "T1", PlaceId = site, DeviceType = "thermostat" }, TestContext.Current.CancellationToken);
        }

        await SignInAsync(_acme.AdminEmail);
        await GotoInteractiveAsync($"/integrations/{integration}");
        await Page.GetByRole(AriaRole.Tab, new() { Name = "Resource mappings" }).ClickAsync();
        await OpenDialogAsync(ByTestId("mappings-add"));
        await ByTestId("mapping-external-id").PressSequentiallyAsync("MPAN-1");
        await ExpectNoSeriousAccessibilityViolationsAsync("the mapping form", within: ".mud-dialog");
        await Page.GetByRole(AriaRole.Dialog).Locator(".mud-treeview-item-arrow button, button.mud-treeview-item-arrow").First.ClickAsync();
        await Expect(ByTestId("resource-node-M1")).ToBeVisibleAsync();
        await Expect(ByTestId("resource-node-T1")).ToHaveCountAsync(0);
        await ByTestId("resource-node-M1").ClickAsync();
        await Expect(ByTestId("mapping-picked")).ToContainTextAsync("Site / M1");
        await ByTestId("mapping-save").ClickAsync();
        await Expect(ByTestId("mapping-row-MPAN-1")).ToBeVisibleAsync();

        await OpenDialogAsync(ByTestId("mappings-add"));
        await ByTestId("mapping-external-id").PressSequentiallyAsync("MPAN-1");
        await Expect(ByTestId("mapping-external-id-error")).ToHaveTextAsync("'MPAN-1' is already mapped in this integration.");
        await ByTestId("resource-search").PressSequentiallyAsync("M");
        await ByTestId("resource-option-M1").ClickAsync();
        await Expect(ByTestId("mapping-resource-error")).ToContainTextAsync("already mapped to 'MPAN-1'");
        await ByTestId("mapping-external-id").FillAsync("MPAN-2");
        await ByTestId("mapping-external-id").PressAsync("End");
        await ByTestId("resource-option-M2").ClickAsync();
        await ByTestId("mapping-save").ClickAsync();
        await Expect(ByTestId("mapping-row-MPAN-2")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("the mappings panel", within: "[data-testid=mappings-panel]");

        await ByTestId("mappings-search").PressSequentiallyAsync("M2");
        await Expect(ByTestId("mapping-row-MPAN-1")).ToHaveCountAsync(0);
        await ByTestId("mapping-delete-MPAN-2").ClickAsync();
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
        await Expect(ByTestId("mapping-row-MPAN-2")).ToHaveCountAsync(0);
    }
}
