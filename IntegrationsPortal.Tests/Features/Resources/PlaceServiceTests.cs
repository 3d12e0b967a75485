using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Resources;

namespace IntegrationsPortal.Tests.Features.Resources;

public class PlaceServiceTests : ResourcesTestBed
{
    private static readonly Guid Integration = Guid.CreateVersion7();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Rules.Integrations[Integration] = new MappingRules(ResourceFilter.Any, EachResourceOnce: false);
    }

    [Fact]
    public async Task CreatedPlaces_FormATree_AnyDepth()
    {
        var site = await PlaceAsync("Site");
        var building = await PlaceAsync("Building", site);
        var floor = await PlaceAsync("Floor 2", building);
        await PlaceAsync("Room 201", floor);
        await DeviceAsync("Meter", floor);
        await using var r = As();

        var tree = await r.Places.GetTreeAsync(Ct);
        var details = await r.Places.GetPlaceAsync(floor, Ct);

        var floorNode = Assert.Single(Assert.Single(Assert.Single(tree).Children).Children);
        Assert.Equal(("Floor 2", 1, "Room 201"), (floorNode.Name, floorNode.DeviceCount, Assert.Single(floorNode.Children).Name));
        Assert.Equal("Site / Building / Floor 2", details.Breadcrumb);
        Assert.Equal("Europe/Berlin", details.TimeZone);
    }

    [Fact]
    public async Task Place_KeepsAddressCoordinatesAndMetadata()
    {
        await using var r = As();
        var id = await r.Places.CreatePlaceAsync(new PlaceInput
        {
            Name = "Depot", Address = "1 Quay St", Latitude = 53.55, Longitude = 9.99, TimeZone = "Europe/Berlin",
            Metadata = new() { ["cost_center"] = "4711" },
        }, Ct);

        var place = await r.Places.GetPlaceAsync(id, Ct);

        Assert.Equal(("1 Quay St", 53.55, 9.99, "4711"), (place.Address, place.Latitude!.Value, place.Longitude!.Value, place.Metadata["cost_center"]));
    }

    [Fact]
    public async Task Place_WithUnknownTimeZoneOrBadCoordinates_IsRefusedPerField()
    {
        await using var r = As();

        var zone = await Assert.ThrowsAsync<PortalException>(() => r.Places.CreatePlaceAsync(new PlaceInput { Name = "X", TimeZone = "Mars/Olympus" }, Ct));
        var coordinates = await Assert.ThrowsAsync<PortalException>(() => r.Places.CreatePlaceAsync(new PlaceInput { Name = "", Latitude = 91 }, Ct));

        Assert.Equal(["TimeZone"], zone.FieldErrors.Keys);
        Assert.Equal(["Latitude", "Name"], coordinates.FieldErrors.Keys.Order());
        Assert.Empty(await r.Places.GetTreeAsync(Ct));
    }

    [Fact]
    public async Task Move_UnderItselfOrADescendant_IsRefused_AndNothingMoves()
    {
        var site = await PlaceAsync("Site");
        var building = await PlaceAsync("Building", site);
        var floor = await PlaceAsync("Floor", building);
        await using var r = As();

        var self = await Assert.ThrowsAsync<PortalException>(() => r.Places.MovePlaceAsync(site, site, Ct));
        var child = await Assert.ThrowsAsync<PortalException>(() => r.Places.MovePlaceAsync(site, building, Ct));
        var grandchild = await Assert.ThrowsAsync<PortalException>(() => r.Places.MovePlaceAsync(site, floor, Ct));

        Assert.Equal("'Site' cannot be moved into itself.", self.Message);
        Assert.Equal("'Site' cannot be moved into 'Floor', which is inside it.", grandchild.Message);
        Assert.Equal(PortalErrorKind.Validation, child.Kind);
        Assert.Null((await r.Places.GetPlaceAsync(site, Ct)).ParentId);
        Assert.Equal("Site / Building / Floor", (await r.Places.GetPlaceAsync(floor, Ct)).Breadcrumb);
    }

    [Fact]
    public async Task Move_ToAnotherBranchOrTheTop_Works()
    {
        var site = await PlaceAsync("Site");
        var a = await PlaceAsync("A", site);
        var b = await PlaceAsync("B", site);
        var floor = await PlaceAsync("Floor", a);
        await using var r = As();

        await r.Places.MovePlaceAsync(floor, b, Ct);
        Assert.Equal("Site / B / Floor", (await r.Places.GetPlaceAsync(floor, Ct)).Breadcrumb);

        await r.Places.MovePlaceAsync(floor, null, Ct);
        Assert.Equal(["Floor", "Site"], (await r.Places.GetTreeAsync(Ct)).Select(p => p.Name));
    }

    [Fact]
    public async Task Delete_PlaceWithChildren_NeedsCascade_ThenDeletesEverythingInside()
    {
        var site = await PlaceAsync("Site");
        var building = await PlaceAsync("Building", site);
        await PlaceAsync("Floor", building);
        await DeviceAsync("Meter", building);
        await using var r = As();

        var refused = await Assert.ThrowsAsync<PortalException>(() => r.Places.DeletePlaceAsync(site, cascade: false, Ct));
        Assert.Equal(PortalErrorKind.Conflict, refused.Kind);
        Assert.Equal("'Site' holds 2 place(s) and 1 device(s). Delete them first, or confirm deleting everything inside it.", refused.Message);
        Assert.Single(await r.Places.GetTreeAsync(Ct));

        await r.Places.DeletePlaceAsync(site, cascade: true, Ct);

        Assert.Empty(await r.Places.GetTreeAsync(Ct));
        Assert.Empty(await r.Paths.BrowseAsync(null, ct: Ct));
    }

    [Fact]
    public async Task Delete_WhileAMappingUsesThePlaceOrAnythingInIt_IsRefused_EvenWithCascade()
    {
        var site = await PlaceAsync("Site");
        var floor = await PlaceAsync("Floor", site);
        var meter = await DeviceAsync("Meter", floor);
        var empty = await PlaceAsync("Empty room");
        await using var r = As();
        await r.Mappings.CreateAsync(Integration, new MappingInput { ExternalId = "MTR-9", ResourcePath = $"devices/{meter}" }, Ct);
        await r.Mappings.CreateAsync(Integration, new MappingInput { ExternalId = "ROOM-1", ResourcePath = $"places/{empty}" }, Ct);

        var siteError = await Assert.ThrowsAsync<PortalException>(() => r.Places.DeletePlaceAsync(site, cascade: true, Ct));
        var device = await Assert.ThrowsAsync<PortalException>(() => r.Devices.DeleteDeviceAsync(meter, Ct));
        var room = await Assert.ThrowsAsync<PortalException>(() => r.Places.DeletePlaceAsync(empty, cascade: false, Ct));

        Assert.Equal("'Site' cannot be deleted: 1 resource mapping(s) use it or something in it (MTR-9). Remove those mappings first.", siteError.Message);
        Assert.Contains("MTR-9", device.Message, StringComparison.Ordinal);
        Assert.Contains("ROOM-1", room.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await r.Places.GetTreeAsync(Ct)).Count);
        Assert.Single(await r.Devices.ListDevicesAsync(floor, Ct));
    }

    [Fact]
    public async Task Viewer_ReadsPlaces_ButCannotChangeThem()
    {
        var site = await PlaceAsync("Site");
        await using var viewer = As(role: PortalRoles.Viewer);

        Assert.Single(await viewer.Places.GetTreeAsync(Ct));
        var create = await Assert.ThrowsAsync<PortalException>(() => viewer.Places.CreatePlaceAsync(new PlaceInput { Name = "Nope" }, Ct));
        var delete = await Assert.ThrowsAsync<PortalException>(() => viewer.Places.DeletePlaceAsync(site, true, Ct));

        Assert.Equal(PortalErrorKind.Forbidden, create.Kind);
        Assert.Equal(PortalErrorKind.Forbidden, delete.Kind);
        Assert.Single(await viewer.Places.GetTreeAsync(Ct));
    }

    [Fact]
    public async Task Organizations_NeverSeeOrTouchEachOthersPlaces()
    {
        var globex = await Portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        var acmeSite = await PlaceAsync("Acme site");
        var globexSite = await PlaceAsync("Globex site", tenant: globex);
        await using var g = As(globex);

        Assert.Equal(["Globex site"], (await g.Places.GetTreeAsync(Ct)).Select(p => p.Name));
        Assert.Equal(PortalErrorKind.NotFound, (await Assert.ThrowsAsync<PortalException>(() => g.Places.GetPlaceAsync(acmeSite, Ct))).Kind);
        Assert.Equal(PortalErrorKind.NotFound, (await Assert.ThrowsAsync<PortalException>(() => g.Places.DeletePlaceAsync(acmeSite, true, Ct))).Kind);
        // Neither into another organization's place, nor another's place into one's own.
        Assert.Equal("ParentId", (await Assert.ThrowsAsync<PortalException>(() => g.Places.MovePlaceAsync(globexSite, acmeSite, Ct))).FieldErrors.Keys.Single());
        var device = await Assert.ThrowsAsync<PortalException>(() => g.Devices.CreateDeviceAsync(new DeviceInput { Name = "Sneaky", PlaceId = acmeSite, DeviceType = "meter" }, Ct));
        Assert.Equal(["PlaceId"], device.FieldErrors.Keys);
        await using var a = As();
        Assert.Equal(["Acme site"], (await a.Places.GetTreeAsync(Ct)).Select(p => p.Name));
    }
}

[OnPostgreSQL]
public sealed class PlaceServiceOnPostgreSQLTests : PlaceServiceTests;
