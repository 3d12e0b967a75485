using IntegrationsPortal.Features.Resources;

namespace IntegrationsPortal.Tests.Features.Resources;

/// <summary>
/// The device form (and the API behind it) and the CSV import check a device by the same rules: the
/// same bad value gets the same message, the import only adds the line it is on.
/// </summary>
public class DeviceRulesTests : ResourcesTestBed
{
    /// <summary>Name, type, serial number and external ids (';'-separated) of a device with exactly one problem.</summary>
    public static TheoryData<string, string, string, string> BadDevices => new()
    {
        { "", "meter", "", "" },
        { new string('n', 101), "meter", "", "" },
        { "Meter \u202Eevil", "meter", "", "" },
        { "Meter", "", "", "" },
        { "Meter", "toaster", "", "" },
        { "Meter", "meter", new string('s', 201), "" },
        { "Meter", "meter", "SN-1", "" },
        { "Meter", "meter", "", string.Join(';', Enumerable.Range(1, 51)) },
    };

    [Theory]
    [MemberData(nameof(BadDevices))]
    public async Task BadDevice_GetsTheSameMessage_FromTheFormAndFromTheCsvImport(string name, string type, string serial, string externalIds)
    {
        var site = await PlaceAsync("Site");
        await DeviceAsync("First", site, serial: "SN-1");
        await using var r = As();
        var csv = Csv.Write(["name", "type", "serial_number", "external_ids"], [[name, type, serial, externalIds]]);

        var form = await Assert.ThrowsAsync<PortalException>(() => r.Devices.CreateDeviceAsync(new DeviceInput
        {
            Name = name, PlaceId = site, DeviceType = type, SerialNumber = serial,
            ExternalIds = [.. externalIds.Split(';', StringSplitOptions.RemoveEmptyEntries)],
        }, Ct));
        var preview = await r.DeviceImport.PreviewAsync(site, csv, Ct);
        var import = await Assert.ThrowsAsync<PortalException>(() => r.DeviceImport.ImportAsync(site, csv, Ct));

        Assert.Equal(form.Message, Assert.Single(Assert.Single(preview.Rows).Errors));
        Assert.Equal($"Nothing was imported. Line 2: {form.Message}", import.Message);
        Assert.Equal(["First"], (await r.Devices.ListDevicesAsync(site, Ct)).Select(d => d.Name));
    }
}

[OnPostgreSQL]
public sealed class DeviceRulesOnPostgreSQLTests : DeviceRulesTests;
