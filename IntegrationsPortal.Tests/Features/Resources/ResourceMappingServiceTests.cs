using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Resources;

public class ResourceMappingServiceTests : ResourcesTestBed
{
    private static readonly Guid Utility = Guid.CreateVersion7();   // meters, each mapped once
    private static readonly Guid Weather = Guid.CreateVersion7();   // places, many station codes each
    private Guid _site;
    private Guid _meter;
    private Guid _thermostat;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Rules.Integrations[Utility] = new MappingRules(new ResourceFilter(false, ["meter"]), EachResourceOnce: true);
        Rules.Integrations[Weather] = new MappingRules(ResourceFilter.PlacesOnly, EachResourceOnce: false);
        _site = await PlaceAsync("Site");
        _meter = await DeviceAsync("Main meter", _site, "meter");
        _thermostat = await DeviceAsync("Thermostat", _site, "thermostat");
    }

    [Fact]
    public async Task Create_ThenResolveBothWays()
    {
        await using var r = As();

        var created = await r.Mappings.CreateAsync(Utility, Input(" MPAN-100 ", $"devices/{_meter}"), Ct);

        Assert.Equal("MPAN-100", created.ExternalId);
        Assert.Equal($"places/{_site}/devices/{_meter}", created.Resource!.Path);
        Assert.Equal(_meter, (await r.Mappings.FindResourceAsync(Utility, "MPAN-100", Ct))!.Id);
        Assert.Null(await r.Mappings.FindResourceAsync(Utility, "MPAN-999", Ct));
        Assert.Equal(["MPAN-100"], await r.Mappings.FindExternalIdsAsync(Utility, $"places/{_site}/devices/{_meter}", Ct));
        Assert.Equal(["MPAN-100"], await r.Mappings.FindExternalIdsAsync(Utility, $"devices/{_meter}", Ct));
        Assert.Equal(1, (await r.Mappings.ListAsync(Utility, ct: Ct)).Total);
    }

    [Fact]
    public async Task SameExternalIdTwice_IsRefused_AndNothingChanges()
    {
        var second = await DeviceAsync("Second meter", _site, "meter");
        await using var r = As();
        await r.Mappings.CreateAsync(Utility, Input("MPAN-1", $"devices/{_meter}"), Ct);

        var error = await Assert.ThrowsAsync<PortalException>(() => r.Mappings.CreateAsync(Utility, Input("MPAN-1", $"devices/{second}"), Ct));

        Assert.Equal("'MPAN-1' is already mapped in this integration.", error.FieldErrors["ExternalId"].Single());
        Assert.Equal(_meter, (await r.Mappings.FindResourceAsync(Utility, "MPAN-1", Ct))!.Id);
        // The same external id in another integration is fine.
        await r.Mappings.CreateAsync(Weather, Input("MPAN-1", $"places/{_site}"), Ct);
    }

    [Fact]
    public async Task WrongKind_IsRefused_WithTheReason()
    {
        await using var r = As();

        var thermostat = await Assert.ThrowsAsync<PortalException>(() => r.Mappings.CreateAsync(Utility, Input("X-1", $"devices/{_thermostat}"), Ct));
        var place = await Assert.ThrowsAsync<PortalException>(() => r.Mappings.CreateAsync(Utility, Input("X-2", $"places/{_site}"), Ct));
        var device = await Assert.ThrowsAsync<PortalException>(() => r.Mappings.CreateAsync(Weather, Input("X-3", $"devices/{_meter}"), Ct));

        Assert.Equal("Thermostat is a thermostat; this needs a meter.", thermostat.FieldErrors["ResourcePath"].Single());
        Assert.Equal("Site is a place; this needs a meter.", place.FieldErrors["ResourcePath"].Single());
        Assert.Equal("Main meter is a meter; this needs a place.", device.FieldErrors["ResourcePath"].Single());
        Assert.Equal(0, (await r.Mappings.ListAsync(Utility, ct: Ct)).Total);
    }

    [Fact]
    public async Task EachResourceOnce_RefusesASecondExternalId_ManyAllowsIt()
    {
        await using var r = As();
        await r.Mappings.CreateAsync(Utility, Input("MPAN-1", $"devices/{_meter}"), Ct);
        await r.Mappings.CreateAsync(Weather, Input("STATION-A", $"places/{_site}"), Ct);

        var error = await Assert.ThrowsAsync<PortalException>(() => r.Mappings.CreateAsync(Utility, Input("MPAN-2", $"devices/{_meter}"), Ct));
        await r.Mappings.CreateAsync(Weather, Input("STATION-B", $"places/{_site}"), Ct);

        Assert.Equal("Main meter is already mapped to 'MPAN-1'; this integration maps each resource once.", error.FieldErrors["ResourcePath"].Single());
        Assert.Equal(["STATION-A", "STATION-B"], await r.Mappings.FindExternalIdsAsync(Weather, $"places/{_site}", Ct));
    }

    [Fact]
    public async Task Edit_KeepsTheRules_AndMayKeepItsOwnResource()
    {
        var second = await DeviceAsync("Second meter", _site, "meter");
        await using var r = As();
        var first = await r.Mappings.CreateAsync(Utility, Input("MPAN-1", $"devices/{_meter}"), Ct);
        await r.Mappings.CreateAsync(Utility, Input("MPAN-2", $"devices/{second}"), Ct);

        await r.Mappings.UpdateAsync(Utility, first.Id, Input("MPAN-1b", $"devices/{_meter}"), Ct);
        var error = await Assert.ThrowsAsync<PortalException>(() => r.Mappings.UpdateAsync(Utility, first.Id, Input("MPAN-2", $"devices/{second}"), Ct));

        Assert.Equal(["ExternalId", "ResourcePath"], error.FieldErrors.Keys.Order());
        Assert.Equal(_meter, (await r.Mappings.FindResourceAsync(Utility, "MPAN-1b", Ct))!.Id);
        await r.Mappings.DeleteAsync(Utility, first.Id, Ct);
        Assert.Null(await r.Mappings.FindResourceAsync(Utility, "MPAN-1b", Ct));
    }

    [Fact]
    public async Task CheckAsYouType_ReportsEachField_WithoutSaving()
    {
        await using var r = As();

        var empty = await r.Mappings.CheckAsync(Utility, Input("", ""), ct: Ct);
        var malformed = await r.Mappings.CheckAsync(Utility, Input("A", "places/xyz"), ct: Ct);
        var fine = await r.Mappings.CheckAsync(Utility, Input("A", $"devices/{_meter}"), ct: Ct);

        Assert.Equal(["ExternalId", "ResourcePath"], empty.Errors.Keys.Order());
        Assert.StartsWith("That is not a resource path", malformed.Errors["ResourcePath"], StringComparison.Ordinal);
        Assert.True(fine.IsValid);
        Assert.Equal("Main meter", fine.Resource!.Name);
        Assert.Equal(0, (await r.Mappings.ListAsync(Utility, ct: Ct)).Total);
    }

    [Fact]
    public async Task UnknownIntegration_IsNotFound_WithThePortalsRules()
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        var service = scope.ServiceProvider.GetRequiredService<ResourceMappingService>();

        var error = await Assert.ThrowsAsync<PortalException>(() => service.CreateAsync(Guid.NewGuid(), Input("A", $"devices/{_meter}"), Ct));

        Assert.Equal(PortalErrorKind.NotFound, error.Kind);
        Assert.Equal("The integration was not found.", error.Message);
    }

    [Fact]
    public async Task Viewer_ReadsMappings_ButCannotChangeThem()
    {
        await using var admin = As();
        await admin.Mappings.CreateAsync(Utility, Input("MPAN-1", $"devices/{_meter}"), Ct);
        await using var viewer = As(role: PortalRoles.Viewer);

        Assert.Equal(1, (await viewer.Mappings.ListAsync(Utility, ct: Ct)).Total);
        var error = await Assert.ThrowsAsync<PortalException>(() => viewer.Mappings.CreateAsync(Utility, Input("MPAN-2", $"places/{_site}"), Ct));
        Assert.Equal(PortalErrorKind.Forbidden, error.Kind);
    }

    [Fact]
    public async Task AnotherOrganization_CannotMapToOurResources_NorSeeOurMappings()
    {
        var globex = await Portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        await using var acme = As();
        await acme.Mappings.CreateAsync(Utility, Input("MPAN-1", $"devices/{_meter}"), Ct);
        await using var g = As(globex);

        var error = await Assert.ThrowsAsync<PortalException>(() => g.Mappings.CreateAsync(Utility, Input("MPAN-2", $"devices/{_meter}"), Ct));

        Assert.StartsWith("There is no device with id", error.FieldErrors["ResourcePath"].Single(), StringComparison.Ordinal);
        Assert.Equal(0, (await g.Mappings.ListAsync(Utility, ct: Ct)).Total);
        Assert.Null(await g.Mappings.FindResourceAsync(Utility, "MPAN-1", Ct));
        Assert.Empty(await g.Mappings.FindExternalIdsAsync(Utility, $"devices/{_meter}", Ct));
    }

    [Fact]
    public async Task CsvImport_WithOneBadRow_WritesNothing_AndReportsTheRow()
    {
        var second = await DeviceAsync("Second meter", _site, "meter");
        await using var r = As();
        var csv = "external_id,resource_path\n" +
                  $"MPAN-1,devices/{_meter}\n" +
                  $"MPAN-2,devices/{_thermostat}\n" +
                  $"MPAN-3,places/{_site}/devices/{second}\n";

        var preview = await r.Mappings.PreviewImportAsync(Utility, csv, Ct);
        var error = await Assert.ThrowsAsync<PortalException>(() => r.Mappings.ImportCsvAsync(Utility, csv, Ct));

        Assert.Equal([true, false, true], preview.Rows.Select(row => row.IsValid));
        Assert.Equal(3, preview.Rows[1].Line);
        Assert.Equal("Line 3: Thermostat is a thermostat; this needs a meter.", error.FieldErrors["Csv"].Single());
        Assert.Equal(0, (await r.Mappings.ListAsync(Utility, ct: Ct)).Total);
    }

    [Fact]
    public async Task CsvImport_RefusesDuplicatesAndTheOnceRule_AcrossFileAndDatabase()
    {
        await using var r = As();
        await r.Mappings.CreateAsync(Utility, Input("MPAN-1", $"devices/{_meter}"), Ct);
        var second = await DeviceAsync("Second meter", _site, "meter");

        var preview = await r.Mappings.PreviewImportAsync(Utility,
            $"external_id,resource_path\nMPAN-9,devices/{_meter}\nMPAN-5,devices/{second}\nMPAN-5,devices/{second}\n", Ct);

        Assert.Equal("Main meter may be mapped once, and is also mapped to MPAN-1.", preview.Rows[0].Errors.Single());
        Assert.True(preview.Rows[1].IsValid);
        Assert.Equal("External id 'MPAN-5' appears more than once in the file.", preview.Rows[2].Errors.Single());
    }

    [Fact]
    public async Task CsvExport_ImportsBackUnchanged_AndAnImportCanMoveAMapping()
    {
        var second = await DeviceAsync("Second meter", _site, "meter");
        await using var r = As();
        await r.Mappings.CreateAsync(Utility, Input("MPAN-1", $"devices/{_meter}"), Ct);
        await r.Mappings.CreateAsync(Utility, Input("=MPAN-2", $"devices/{second}"), Ct);

        var exported = await r.Mappings.ExportCsvAsync(Utility, Ct);
        Assert.Contains("'=MPAN-2", exported, StringComparison.Ordinal); // no spreadsheet formula
        var header = exported.Split("\r\n")[0];
        Assert.Equal("external_id,resource_path,resource_name", header);

        Assert.Equal(1, await r.Mappings.ImportCsvAsync(Utility, $"external_id,resource_path\r\nMPAN-1,devices/{_meter}\r\n", Ct));
        Assert.Equal(2, (await r.Mappings.ListAsync(Utility, ct: Ct)).Total);
    }

    [Fact]
    public async Task List_SearchesAndPages()
    {
        var meters = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            meters.Add(await DeviceAsync($"Meter {i}", _site, "meter"));
        }

        await using var r = As();
        for (var i = 0; i < 5; i++)
        {
            await r.Mappings.CreateAsync(Utility, Input($"MPAN-{i}", $"devices/{meters[i]}"), Ct);
        }

        var page = await r.Mappings.ListAsync(Utility, null, 2, 2, Ct);
        var byResource = await r.Mappings.ListAsync(Utility, "meter 3", ct: Ct);

        Assert.Equal((5, 2), (page.Total, page.Items.Count));
        Assert.Equal(["MPAN-3"], byResource.Items.Select(m => m.ExternalId));
    }

    private static MappingInput Input(string externalId, string path) => new() { ExternalId = externalId, ResourcePath = path };
}

[OnPostgreSQL]
public sealed class ResourceMappingServiceOnPostgreSQLTests : ResourceMappingServiceTests;
