using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Resources;

namespace IntegrationsPortal.Tests.Features.Resources;

public class DeviceServiceTests : ResourcesTestBed
{
    private static readonly Guid Integration = Guid.CreateVersion7();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Rules.Integrations[Integration] = new MappingRules(ResourceFilter.Any, EachResourceOnce: false);
    }

    [Fact]
    public async Task DeviceEditedIntoAnotherPlace_ChangesItsPath_AndItsMappingFollows()
    {
        var a = await PlaceAsync("A");
        var b = await PlaceAsync("B");
        var meter = await DeviceAsync("Meter", a);
        await using var r = As();
        await r.Mappings.CreateAsync(Integration, new MappingInput { ExternalId = "M-1", ResourcePath = $"devices/{meter}" }, Ct);

        await r.Devices.UpdateDeviceAsync(meter, new DeviceInput { Name = "Meter", PlaceId = b, DeviceType = "meter" }, Ct);

        Assert.Equal($"places/{b}/devices/{meter}", (await r.Devices.GetDeviceAsync(meter, Ct)).Path);
        Assert.Equal($"places/{b}/devices/{meter}", (await r.Mappings.FindResourceAsync(Integration, "M-1", Ct))!.Path);
    }

    [Fact]
    public async Task Device_WithUnknownTypeTakenSerialOrOverlongExternalId_IsRefusedOnThatField()
    {
        var site = await PlaceAsync("Site");
        await DeviceAsync("First", site, serial: "SN-1");
        await using var r = As();

        Task<Guid> Create(string type, string? serial, List<string> externalIds) =>
            r.Devices.CreateDeviceAsync(new DeviceInput { Name = "Second", PlaceId = site, DeviceType = type, SerialNumber = serial, ExternalIds = externalIds }, Ct);

        Assert.Equal(["DeviceType"], (await Assert.ThrowsAsync<PortalException>(() => Create("toaster", null, []))).FieldErrors.Keys);
        Assert.Equal(["SerialNumber"], (await Assert.ThrowsAsync<PortalException>(() => Create("meter", " SN-1 ", []))).FieldErrors.Keys);
        Assert.Equal(["ExternalIds"], (await Assert.ThrowsAsync<PortalException>(() => Create("meter", null, [new string('x', 201)]))).FieldErrors.Keys);
        Assert.Equal(["First"], (await r.Devices.ListDevicesAsync(site, Ct)).Select(d => d.Name));
    }

    [Fact]
    public async Task DeviceTypes_StartWithTheDefaults_AndOnlyAnAdminExtendsThem()
    {
        await using var admin = As();
        await using var operatorScope = As(role: PortalRoles.Operator);

        Assert.Equal(["gateway", "meter", "sensor", "thermostat", "vehicle"],
            (await operatorScope.Devices.ListDeviceTypesAsync(Ct)).Select(t => t.Key).Order());
        var refused = await Assert.ThrowsAsync<PortalException>(() => operatorScope.Devices.AddDeviceTypeAsync(new DeviceTypeInput { Key = "inverter", Name = "Inverter" }, Ct));
        await admin.Devices.AddDeviceTypeAsync(new DeviceTypeInput { Key = "inverter", Name = "Inverter", Icon = "bolt" }, Ct);
        var duplicate = await Assert.ThrowsAsync<PortalException>(() => admin.Devices.AddDeviceTypeAsync(new DeviceTypeInput { Key = "inverter", Name = "Again" }, Ct));

        Assert.Equal(PortalErrorKind.Forbidden, refused.Kind);
        Assert.Equal(["Key"], duplicate.FieldErrors.Keys);
        Assert.Contains(await operatorScope.Devices.ListDeviceTypesAsync(Ct), t => t.Key == "inverter");
    }
}

[OnPostgreSQL]
public sealed class DeviceServiceOnPostgreSQLTests : DeviceServiceTests;
