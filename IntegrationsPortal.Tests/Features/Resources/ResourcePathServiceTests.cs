using IntegrationsPortal.Features.Resources;

namespace IntegrationsPortal.Tests.Features.Resources;

public class ResourcePathServiceTests : ResourcesTestBed
{
    [Fact]
    public async Task Validate_EachPathForm_IsValid_AndNamesTheResource()
    {
        var site = await PlaceAsync("Site");
        var floor = await PlaceAsync("Floor 1", site);
        var meter = await DeviceAsync("Main meter", floor);
        await using var r = As();

        var place = await r.Paths.ValidateAsync($"places/{floor}", ct: Ct);
        var device = await r.Paths.ValidateAsync($"places/{floor}/devices/{meter}", ct: Ct);
        var lookup = await r.Paths.ValidateAsync($"/devices/{meter}/", ct: Ct);

        Assert.True(place.IsValid);
        Assert.Equal("Site / Floor 1", place.Resource!.Breadcrumb);
        Assert.True(device.IsValid);
        Assert.Equal("meter", device.Resource!.DeviceTypeKey);
        Assert.True(lookup.IsValid);
        Assert.Equal($"places/{floor}/devices/{meter}", lookup.Resource!.Path); // the canonical path
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("places")]
    [InlineData("places/not-a-guid")]
    [InlineData("rooms/0195f0a4-0000-7000-8000-000000000001")]
    [InlineData("places/0195f0a4-0000-7000-8000-000000000001/devices")]
    [InlineData("places/0195f0a4-0000-7000-8000-000000000001/sensors/0195f0a4-0000-7000-8000-000000000002")]
    [InlineData("devices/0195f0a4-0000-7000-8000-000000000001/extra")]
    public async Task Validate_MalformedPath_SaysMalformed(string? path)
    {
        await using var r = As();

        var check = await r.Paths.ValidateAsync(path, ct: Ct);

        Assert.Equal(ResourcePathProblem.Malformed, check.Problem);
        Assert.Contains("not a resource path", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_UnknownIds_SayUnknown()
    {
        var site = await PlaceAsync("Site");
        await using var r = As();
        var missing = Guid.CreateVersion7();

        Assert.Equal(ResourcePathProblem.UnknownId, (await r.Paths.ValidateAsync($"places/{missing}", ct: Ct)).Problem);
        Assert.Equal(ResourcePathProblem.UnknownId, (await r.Paths.ValidateAsync($"devices/{missing}", ct: Ct)).Problem);
        Assert.Equal(ResourcePathProblem.UnknownId, (await r.Paths.ValidateAsync($"places/{site}/devices/{missing}", ct: Ct)).Problem);
    }

    [Fact]
    public async Task Validate_DeviceUnderTheWrongPlace_SaysNotInPlace()
    {
        var a = await PlaceAsync("A");
        var b = await PlaceAsync("B");
        var meter = await DeviceAsync("Meter", a);
        await using var r = As();

        var check = await r.Paths.ValidateAsync($"places/{b}/devices/{meter}", ct: Ct);

        Assert.Equal(ResourcePathProblem.NotInPlace, check.Problem);
        Assert.Contains($"places/{a}/devices/{meter}", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WrongKindForTheProperty_SaysWhatIsNeeded()
    {
        var site = await PlaceAsync("Site");
        var thermostat = await DeviceAsync("Hall thermostat", site, "thermostat");
        await using var r = As();
        var metersOnly = new ResourceFilter(false, ["meter"]);

        var place = await r.Paths.ValidateAsync($"places/{site}", metersOnly, Ct);
        var device = await r.Paths.ValidateAsync($"devices/{thermostat}", metersOnly, Ct);
        var placeOk = await r.Paths.ValidateAsync($"places/{site}", ResourceFilter.PlacesOnly, Ct);

        Assert.Equal(ResourcePathProblem.WrongKind, place.Problem);
        Assert.Equal("Site is a place; this needs a meter.", place.Message);
        Assert.Equal(ResourcePathProblem.WrongKind, device.Problem);
        Assert.Equal("Hall thermostat is a thermostat; this needs a meter.", device.Message);
        Assert.True(placeOk.IsValid);
    }

    [Fact]
    public async Task Validate_AnotherOrganizationsResource_IsUnknown_NotRevealed()
    {
        var globex = await Portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        var theirs = await PlaceAsync("Globex HQ", tenant: globex);
        var theirMeter = await DeviceAsync("Globex meter", theirs, tenant: globex);
        await using var r = As();

        var place = await r.Paths.ValidateAsync($"places/{theirs}", ct: Ct);
        var device = await r.Paths.ValidateAsync($"places/{theirs}/devices/{theirMeter}", ct: Ct);

        Assert.Equal(ResourcePathProblem.UnknownId, place.Problem);
        Assert.Equal(ResourcePathProblem.UnknownId, device.Problem);
        Assert.Null(place.Resource);
        Assert.DoesNotContain("Globex", place.Message + device.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browse_ListsChildPlacesThenAcceptedDevices()
    {
        var site = await PlaceAsync("Site");
        var building = await PlaceAsync("Building", site);
        await DeviceAsync("Gateway", site, "gateway");
        await DeviceAsync("Meter", site, "meter");
        await using var r = As();

        var root = await r.Paths.BrowseAsync(null, ct: Ct);
        var all = await r.Paths.BrowseAsync($"places/{site}", ct: Ct);
        var meters = await r.Paths.BrowseAsync($"places/{site}", new ResourceFilter(false, ["meter"]), Ct);

        Assert.Equal(["Site"], root.Select(n => n.Name));
        Assert.True(root[0].HasChildren);
        Assert.Equal(["Building", "Gateway", "Meter"], all.Select(n => n.Name));
        Assert.Equal(building, all[0].Id);
        Assert.Equal(["Building", "Meter"], meters.Select(n => n.Name));
        Assert.False(meters[0].Selectable); // a place, where only meters are accepted
    }

    [Fact]
    public async Task Search_FindsByNameAndSerial_WithinTheFilter()
    {
        var site = await PlaceAsync("North site");
        await DeviceAsync("Boiler meter", site, "meter", serial: "SN-77");
        await DeviceAsync("Boiler sensor", site, "sensor");
        await using var r = As();

        var bySerial = await r.Paths.SearchAsync("sn-77", ct: Ct);
        var meters = await r.Paths.SearchAsync("boiler", new ResourceFilter(false, ["meter"]), ct: Ct);
        var north = await r.Paths.SearchAsync("NORTH", ct: Ct);

        // Ignoring case on both providers: PostgreSQL's LIKE respects it (TextSearch).
        Assert.Equal(["Boiler meter"], bySerial.Select(x => x.Name));
        Assert.Equal(["Boiler meter"], meters.Select(x => x.Name));
        Assert.Equal(["North site"], north.Select(x => x.Name));
    }
}

[OnPostgreSQL]
public sealed class ResourcePathServiceOnPostgreSQLTests : ResourcePathServiceTests;
