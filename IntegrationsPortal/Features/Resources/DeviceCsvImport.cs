using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Resources;

/// <summary>
/// Adds devices to a place from CSV, all or nothing. Columns: name, type (a device type key), and
/// optionally serial_number and external_ids (separated by ';'). Each row is checked by
/// <see cref="DeviceRules"/> exactly like a device from the form, so a bad value gets the form's
/// message with its line; the one check of its own is a serial number repeated by another row.
/// </summary>
public sealed class DeviceCsvImport(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>Checks the CSV for <paramref name="placeId"/> without writing anything.</summary>
    public async Task<CsvPreview> PreviewAsync(Guid placeId, string csv, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "import devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.FindPlaceAsync(placeId, ct);
        return (await ReadAsync(db, placeId, csv, ct)).Preview;
    }

    /// <summary>Imports every row of the CSV, or (when any row is invalid) nothing, with the rows' errors.</summary>
    public async Task<int> ImportAsync(Guid placeId, string csv, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "import devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var place = await db.FindPlaceAsync(placeId, ct);
        var (preview, devices) = await ReadAsync(db, placeId, csv, ct);
        if (!preview.IsValid)
        {
            throw preview.ToError();
        }

        db.AddRange(devices);
        db.Audit(currentUser, time, "device.imported", $"Imported {devices.Count} device(s) into '{place.Name}'.");
        await db.SaveChangesAsync(ct);
        return devices.Count;
    }

    private async Task<(CsvPreview Preview, List<Device> Devices)> ReadAsync(
        PortalDbContext db, Guid placeId, string csv, CancellationToken ct)
    {
        var (header, rows, fileErrors) = Csv.ReadTable(csv, ["name", "type"]);
        var rules = await DeviceRules.LoadAsync(db, ct);
        var lineBySerial = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var results = new List<CsvRowResult>();
        var devices = new List<Device>();
        foreach (var (line, fields) in fileErrors.Count > 0 ? [] : rows)
        {
            var input = new DeviceInput
            {
                PlaceId = placeId,
                Name = Csv.Field(header, fields, "name"),
                DeviceType = Csv.Field(header, fields, "type"),
                SerialNumber = Csv.Field(header, fields, "serial_number"),
                ExternalIds = DeviceRules.ParseExternalIds(Csv.Field(header, fields, "external_ids")),
            };
            var problems = rules.Check(input);
            var errors = problems.Select(p => p.Message).ToList();
            if (problems.All(p => p.Field != nameof(DeviceInput.SerialNumber)) && DeviceRules.SerialOf(input) is { } serial
                && !lineBySerial.TryAdd(serial, line))
            {
                errors.Add($"Serial number '{serial}' is already used by line {lineBySerial[serial]}.");
            }

            results.Add(new CsvRowResult(line, fields, errors));
            if (errors.Count == 0)
            {
                var device = new Device { Name = "", CreatedAt = time.GetUtcNow() };
                rules.Apply(input, device);
                devices.Add(device);
            }
        }

        return (new CsvPreview(header, results, fileErrors), devices);
    }
}
