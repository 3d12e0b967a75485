using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

[Collection(SetUpPortalUiCollection.Name)]
public sealed class PlacesUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    private const string OperatorEmail = "oscar@acme.test";

    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Operator_BuildsATree_AddsAndMovesDevices_AndCannotDeleteAMappedPlace()
    {
        await portal.App.Services.AddUserAsync(portal.Acme, OperatorEmail, PortalRoles.Operator);
        await SignInAsync(OperatorEmail);
        await GotoInteractiveAsync("/places");

        await ByTestId("place-new-root").ClickAsync();
        await SavePlaceAsync("HQ site");
        await ByTestId("place-add-child").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("New place inside HQ site");
        await SavePlaceAsync("Building A");
        await ByTestId("place-add-child").ClickAsync();
        await SavePlaceAsync("Floor 1");
        await Expect(ByTestId("place-breadcrumb")).ToHaveTextAsync("HQ site / Building A / Floor 1");
        await ExpectNoSeriousAccessibilityViolationsAsync("/places with a place selected", within: ".places-layout");

        await AddDeviceAsync("Main meter", "Meter");
        await AddDeviceAsync("Hall thermostat", "Thermostat");
        await Expect(ByTestId("device-row-Main meter")).ToBeVisibleAsync();

        // Move the thermostat up to the building by editing its place.
        await ByTestId("device-edit-Hall thermostat").ClickAsync();
        await PickOptionAsync("device-form-place", "HQ site / Building A");
        await Expect(ByTestId("device-form-place")).ToHaveValueAsync("HQ site / Building A");
        await ByTestId("device-form-save").ClickAsync();
        await Expect(ByTestId("device-form")).ToHaveCountAsync(0);
        await Expect(ByTestId("device-row-Hall thermostat")).ToHaveCountAsync(0);
        await ByTestId("place-node-Building A").ClickAsync();
        await Expect(ByTestId("place-name")).ToHaveTextAsync("Building A");
        await Expect(ByTestId("device-row-Hall thermostat")).ToBeVisibleAsync();

        // An integration maps the meter; deleting the site (and all in it) is then refused with the reason.
        await MapAsync(await DeviceIdAsync("Main meter"), "MPAN-1234");
        await ByTestId("place-node-HQ site").ClickAsync();
        await Expect(ByTestId("place-name")).ToHaveTextAsync("HQ site");
        await ByTestId("place-delete").ClickAsync();

        // Refused at once, without first asking to confirm deleting "everything in it".
        await Expect(ByTestId("place-error")).ToContainTextAsync("'HQ site' cannot be deleted: 1 resource mapping(s) use it or something in it (MPAN-1234). Remove those mappings first.");
        await Expect(Page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Expect(ByTestId("place-node-Floor 1")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Viewer_SeesThePlaces_ButNoWriteButtons()
    {
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            await scope.ServiceProvider.GetRequiredService<PlaceService>().CreatePlaceAsync(new PlaceInput { Name = "Viewer depot" }, TestContext.Current.CancellationToken);
        }

        await SignInAsync(SetUpPortalUiFixture.ViewerEmail);
        await GotoInteractiveAsync("/places");
        await ByTestId("place-node-Viewer depot").ClickAsync();

        await Expect(ByTestId("place-name")).ToHaveTextAsync("Viewer depot");
        await Expect(ByTestId("devices-grid")).ToBeVisibleAsync();
        foreach (var button in new[] { "place-new-root", "place-edit", "place-add-child", "place-move", "place-delete", "device-add", "device-import" })
        {
            await Expect(ByTestId(button)).ToHaveCountAsync(0);
        }
    }

    [Fact]
    public async Task DeviceCsvImport_ShowsTheBadRow_ImportsNothing_ThenImportsTheFixedFile()
    {
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            await scope.ServiceProvider.GetRequiredService<PlaceService>().CreatePlaceAsync(new PlaceInput { Name = "Import depot" }, TestContext.Current.CancellationToken);
        }

        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/places");
        await ByTestId("place-node-Import depot").ClickAsync();
        await ByTestId("device-import").ClickAsync();
        await Expect(ByTestId("csv-import")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("the CSV import dialog", within: ".mud-dialog");

        await ByTestId("csv-text").FillAsync("name,type,serial_number\nVan 1,vehicle,VIN-1\nVan 2,spaceship,VIN-2\n");
        await ByTestId("csv-preview-button").ClickAsync();
        await Expect(ByTestId("csv-summary")).ToHaveTextAsync("2 row(s), 1 with errors.");
        await Expect(ByTestId("csv-row-3")).ToContainTextAsync("'spaceship' is not a device type");
        await Expect(ByTestId("csv-import-button")).ToBeDisabledAsync();

        await ByTestId("csv-text").FillAsync("name,type,serial_number\nVan 1,vehicle,VIN-1\nVan 2,vehicle,VIN-2\n");
        await ByTestId("csv-preview-button").ClickAsync();
        await Expect(ByTestId("csv-summary")).ToHaveTextAsync("2 row(s), 0 with errors.");
        await ByTestId("csv-import-button").ClickAsync();

        await Expect(ByTestId("device-row-Van 1")).ToBeVisibleAsync();
        await Expect(ByTestId("device-row-Van 2")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("/places with devices", within: ".places-layout");
    }

    [Fact]
    public async Task DevicesGrid_At1400Px_KeepsALongDevicesExternalIds_AndItsEditAndDeleteButtons_OnScreen()
    {
        const string name = "Rooftop photovoltaic inverter string monitor, north array section 7 bay 12";
        const string externalId = "urn:dev:mac:0024befffe804ff1:north-array-section-7-bay-12-string-inverter-monitor";
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
            var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
            var placeId = await places.CreatePlaceAsync(new PlaceInput { Name = "Solar farm east" }, TestContext.Current.CancellationToken);
            await devices.CreateDeviceAsync(new DeviceInput
            {
                PlaceId = placeId, Name = name, DeviceType = "vehicle", SerialNumber = "SN-INV-2026-000000000000000000042",
                ExternalIds = [externalId, "modbus-tcp://10.20.30.40:502/unit/17/holding-registers/40001-40125"],
            }, TestContext.Current.CancellationToken);
        }

        await Page.SetViewportSizeAsync(1400, 900);
        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/places");
        await ByTestId("place-node-Solar farm east").ClickAsync();
        var row = Page.Locator("tr", new() { Has = ByTestId($"device-row-{name}") });
        await Expect(row).ToBeVisibleAsync();

        var viewportWidth = await Page.EvaluateAsync<double>("() => document.documentElement.clientWidth");
        foreach (var (what, element) in new[]
        {
            ("external-id cell", row.Locator("td", new() { HasText = externalId })),
            ("edit button", ByTestId($"device-edit-{name}")),
            ("delete button", ByTestId($"device-delete-{name}")),
        })
        {
            var box = await element.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= viewportWidth, $"The {what} spans x {box.X:0}-{box.X + box.Width:0}, outside the {viewportWidth:0} px viewport.");
        }
    }

    [Fact]
    public async Task MoveTo_PutsAPlaceUnderAnother_AndOffersNoPlaceInsideIt()
    {
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
            var wing = await places.CreatePlaceAsync(new PlaceInput { Name = "East wing" }, TestContext.Current.CancellationToken);
            await places.CreatePlaceAsync(new PlaceInput { Name = "East wing room", ParentId = wing }, TestContext.Current.CancellationToken);
            await places.CreatePlaceAsync(new PlaceInput { Name = "Campus" }, TestContext.Current.CancellationToken);
        }

        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/places");
        await ByTestId("place-node-East wing").ClickAsync();
        await ByTestId("place-move").ClickAsync();
        await ByTestId("move-target").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Option, new() { Name = "East wing / East wing room", Exact = true })).ToHaveCountAsync(0);
        await Page.GetByRole(AriaRole.Option, new() { Name = "Campus", Exact = true }).ClickAsync();
        await Expect(ByTestId("move-target")).ToHaveValueAsync("Campus");
        await ByTestId("move-save").ClickAsync();

        await Expect(ByTestId("place-breadcrumb")).ToHaveTextAsync("Campus / East wing");
    }

    [Fact]
    public async Task Admin_ExtendsTheDeviceTypes()
    {
        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/places");

        await ByTestId("device-types-open").ClickAsync();
        await ByTestId("device-type-key").FillAsync("heat-pump");
        await ByTestId("device-type-name").FillAsync("Heat pump");
        await ByTestId("device-type-save").ClickAsync();

        await Expect(ByTestId("device-types").GetByText("heat-pump")).ToBeVisibleAsync();
    }

    private async Task SavePlaceAsync(string name)
    {
        await ByTestId("place-form-name").FillAsync(name);
        await ByTestId("place-form-save").ClickAsync();
        await Expect(ByTestId("place-name")).ToHaveTextAsync(name);
    }

    private async Task AddDeviceAsync(string name, string type)
    {
        await ByTestId("device-add").ClickAsync();
        await Expect(ByTestId("device-form")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("the device form", within: ".mud-dialog");
        await ByTestId("device-form-name").FillAsync(name);
        await PickOptionAsync("device-form-type", type);
        await ByTestId("device-form-save").ClickAsync();
        await Expect(ByTestId($"device-row-{name}")).ToBeVisibleAsync();
    }

    private async Task<Guid> DeviceIdAsync(string name)
    {
        await using var scope = portal.App.Services.AsAdmin(portal.Acme);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return db.Devices.Single(d => d.Name == name).Id;
    }

    /// <summary>
    /// A mapping as an integration would hold it. The Integrations feature is not on this branch, so
    /// the row is written directly instead of through the mapping service (whose rules would refuse it).
    /// </summary>
    private async Task MapAsync(Guid deviceId, string externalId)
    {
        await using var scope = portal.App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(portal.Acme.OrganizationId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.ResourceMappings.Add(new ResourceMapping
        {
            IntegrationId = Guid.CreateVersion7(), ExternalId = externalId, ResourceKind = ResourceKind.Device, ResourceId = deviceId, CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }
}
