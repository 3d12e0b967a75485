using IntegrationsPortal.Features.Resources;

namespace IntegrationsPortal.Tests.Features.Resources;

/// <summary>Device imports are all or nothing; each row meets the form's rules (<see cref="DeviceRulesTests"/>).</summary>
public class DeviceCsvImportTests : ResourcesTestBed
{
    [Fact]
    public async Task DeviceImport_WithOneBadRow_WritesNothing_AndReportsTheRow()
    {
        var site = await PlaceAsync("Site");
        await DeviceAsync("Existing", site, serial: "SN-1");
        await using var r = As();
        const string csv = "name,type,serial_number,external_ids\n" +
                           "Meter A,meter,SN-2,MPAN-1;MPAN-2\n" +
                           "Boiler,toaster,SN-3,\n" +
                           "\"Meter, B\",meter,SN-1,\n" +
                           "Meter C,meter,sn-2,\n";

        var preview = await r.DeviceImport.PreviewAsync(site, csv, Ct);
        var error = await Assert.ThrowsAsync<PortalException>(() => r.DeviceImport.ImportAsync(site, csv, Ct));

        Assert.False(preview.IsValid);
        Assert.Equal([2, 3, 4, 5], preview.Rows.Select(row => row.Line));
        Assert.True(preview.Rows[0].IsValid);
        Assert.StartsWith("'toaster' is not a device type", preview.Rows[1].Errors.Single(), StringComparison.Ordinal);
        Assert.Equal("Serial number 'SN-1' is already used by another device.", preview.Rows[2].Errors.Single());
        Assert.Equal("Serial number 'sn-2' is already used by line 2.", preview.Rows[3].Errors.Single());
        Assert.Equal("Meter, B", preview.Rows[2].Values[0]);
        Assert.Contains("Line 3: 'toaster' is not a device type", error.Message, StringComparison.Ordinal);
        Assert.Contains("Line 4:", error.Message, StringComparison.Ordinal);
        Assert.Equal(["Existing"], (await r.Devices.ListDevicesAsync(site, Ct)).Select(d => d.Name));
    }

    [Fact]
    public async Task DeviceImport_AllRowsValid_AddsThemAll()
    {
        var site = await PlaceAsync("Site");
        await using var r = As();

        var count = await r.DeviceImport.ImportAsync(site, "Name,Type,External_Ids\r\nVan 1,vehicle,VIN1\r\nVan 2,vehicle,VIN2;FLEET-2\r\n", Ct);

        Assert.Equal(2, count);
        var devices = await r.Devices.ListDevicesAsync(site, Ct);
        Assert.Equal(["VIN2", "FLEET-2"], devices.Single(d => d.Name == "Van 2").ExternalIds);
        Assert.All(devices, d => Assert.Equal("vehicle", d.DeviceTypeKey));
    }
}

[OnPostgreSQL]
public sealed class DeviceCsvImportOnPostgreSQLTests : DeviceCsvImportTests;
