using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Resources;

/// <summary>
/// The place tree and the devices in it. Reading needs View, changing needs Operate, extending the
/// device-type list needs Administer. Deletes are refused while a resource mapping points at the
/// place, anything below it, or the device, so an integration never loses its target silently.
/// </summary>
public sealed class PlacesService(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    public async Task<IReadOnlyList<PlaceNode>> GetTreeAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see places");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var places = await db.Set<Place>().AsNoTracking().Select(p => new { p.Id, p.ParentId, p.Name }).ToListAsync(ct);
        var deviceCounts = await db.Set<Device>().GroupBy(d => d.PlaceId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var children = places.ToLookup(p => p.ParentId);
        return Build(null);

        List<PlaceNode> Build(Guid? parentId) => children[parentId]
            .OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase)
            .Select(p => new PlaceNode(p.Id, p.ParentId, p.Name, ResourcePath.ForPlace(p.Id), deviceCounts.GetValueOrDefault(p.Id), Build(p.Id)))
            .ToList();
    }

    public async Task<PlaceDetails> GetPlaceAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see places");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var place = await FindPlaceAsync(db, id, ct);
        var index = await PlaceIndex.LoadAsync(db, ct);
        return new PlaceDetails(place.Id, place.ParentId, place.Name, ResourcePath.ForPlace(place.Id), index.Breadcrumb(place.Id),
            place.Address, place.Latitude, place.Longitude, place.TimeZone, place.Metadata, place.CreatedAt);
    }

    public async Task<Guid> CreatePlaceAsync(PlaceInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "create places");
        Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (input.ParentId is { } parentId && !await db.Set<Place>().AnyAsync(p => p.Id == parentId, ct))
        {
            throw PortalException.Invalid(nameof(PlaceInput.ParentId), "The parent place does not exist.");
        }

        var place = new Place { Name = input.Name.Trim(), ParentId = input.ParentId, CreatedAt = time.GetUtcNow() };
        Apply(place, input);
        db.Add(place);
        Audit(db, "place.created", $"Created place '{place.Name}'.");
        await db.SaveChangesAsync(ct);
        return place.Id;
    }

    /// <summary>Renames and edits a place; its parent stays (see <see cref="MovePlaceAsync"/>).</summary>
    public async Task UpdatePlaceAsync(Guid id, PlaceInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "edit places");
        Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var place = await FindPlaceAsync(db, id, ct);
        Apply(place, input);
        Audit(db, "place.updated", $"Edited place '{place.Name}'.");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Moves a place under another (or to the top with null); never under itself or its descendants.</summary>
    public async Task MovePlaceAsync(Guid id, Guid? newParentId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "move places");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var place = await FindPlaceAsync(db, id, ct);
        var index = await PlaceIndex.LoadAsync(db, ct);
        if (newParentId is { } parentId)
        {
            if (!index.Contains(parentId))
            {
                throw PortalException.Invalid("ParentId", "The place to move into does not exist.");
            }

            if (index.Subtree(id).Contains(parentId))
            {
                throw PortalException.Invalid("ParentId", parentId == id
                    ? $"'{place.Name}' cannot be moved into itself."
                    : $"'{place.Name}' cannot be moved into '{index.NameOf(parentId)}', which is inside it.");
            }
        }

        place.ParentId = newParentId;
        Audit(db, "place.moved", $"Moved place '{place.Name}' to {(newParentId is { } p ? $"'{index.Breadcrumb(p)}'" : "the top level")}.");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Deletes a place. With children or devices it needs <paramref name="cascade"/>, which deletes them
    /// too; while a mapping uses the place or anything below it, it is refused either way.
    /// </summary>
    /// <summary>
    /// Why a place cannot be deleted (mappings use it or something in it), or null when it can: the page
    /// asks before its confirmation, so the operator is not asked to confirm a delete that is then refused.
    /// </summary>
    public async Task<string?> WhyPlaceCannotBeDeletedAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see places");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var place = await FindPlaceAsync(db, id, ct);
        var placeIds = (await PlaceIndex.LoadAsync(db, ct)).Subtree(id);
        var deviceIds = await db.Set<Device>().Where(d => placeIds.Contains(d.PlaceId)).Select(d => d.Id).ToListAsync(ct);
        return await WhyNotDeletableAsync(db, place, placeIds, deviceIds, ct);
    }

    public async Task DeletePlaceAsync(Guid id, bool cascade = false, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "delete places");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // SQLite's transactions here take the write lock at once: no mapping can appear between check and delete.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var place = await FindPlaceAsync(db, id, ct);
        var index = await PlaceIndex.LoadAsync(db, ct);
        var placeIds = index.Subtree(id);
        var deviceIds = await db.Set<Device>().Where(d => placeIds.Contains(d.PlaceId)).Select(d => d.Id).ToListAsync(ct);
        if (await WhyNotDeletableAsync(db, place, placeIds, deviceIds, ct) is { } refusal)
        {
            throw PortalException.Conflict(refusal);
        }

        var childPlaces = placeIds.Count - 1;
        if (!cascade && (childPlaces > 0 || deviceIds.Count > 0))
        {
            throw PortalException.Conflict(
                $"'{place.Name}' holds {childPlaces} place(s) and {deviceIds.Count} device(s). Delete them first, or confirm deleting everything inside it.");
        }

        await db.Set<Device>().Where(d => deviceIds.Contains(d.Id)).ExecuteDeleteAsync(ct);
        // Children before parents, so the self-reference never points at a deleted row.
        foreach (var placeId in Enumerable.Reverse(placeIds))
        {
            await db.Set<Place>().Where(p => p.Id == placeId).ExecuteDeleteAsync(ct);
        }

        Audit(db, "place.deleted", $"Deleted place '{place.Name}' with {childPlaces} place(s) and {deviceIds.Count} device(s) in it.");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<DeviceTypeSummary>> ListDeviceTypesAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see device types");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await DeviceTypeDefaults.EnsureAsync(db, ct)).Select(t => new DeviceTypeSummary(t.Id, t.Key, t.Name, t.Icon)).ToList();
    }

    public async Task<Guid> AddDeviceTypeAsync(DeviceTypeInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "add device types");
        InputValidation.ThrowIfInvalid(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var types = await DeviceTypeDefaults.EnsureAsync(db, ct);
        if (types.Any(t => t.Key == input.Key))
        {
            throw PortalException.Invalid(nameof(DeviceTypeInput.Key), $"There is already a device type '{input.Key}'.");
        }

        var type = new DeviceType { Key = input.Key, Name = input.Name.Trim(), Icon = string.IsNullOrWhiteSpace(input.Icon) ? "memory" : input.Icon.Trim() };
        db.Add(type);
        Audit(db, "device_type.created", $"Added device type '{type.Key}'.");
        await db.SaveChangesAsync(ct);
        return type.Id;
    }

    public async Task<IReadOnlyList<DeviceSummary>> ListDevicesAsync(Guid placeId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await FindPlaceAsync(db, placeId, ct);
        var types = (await DeviceTypeDefaults.EnsureAsync(db, ct)).ToDictionary(t => t.Id);
        var devices = await db.Set<Device>().AsNoTracking().Where(d => d.PlaceId == placeId).OrderBy(d => d.Name).ToListAsync(ct);
        return devices.Select(d => Summarize(d, types[d.DeviceTypeId])).ToList();
    }

    public async Task<DeviceSummary> GetDeviceAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var device = await FindDeviceAsync(db, id, ct);
        var type = await db.Set<DeviceType>().AsNoTracking().SingleAsync(t => t.Id == device.DeviceTypeId, ct);
        return Summarize(device, type);
    }

    public async Task<Guid> CreateDeviceAsync(DeviceInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "add devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var device = new Device { Name = "", CreatedAt = time.GetUtcNow() };
        await ApplyAsync(db, device, input, ct);
        db.Add(device);
        Audit(db, "device.created", $"Added device '{device.Name}'.");
        await db.SaveChangesAsync(ct);
        return device.Id;
    }

    /// <summary>Edits a device; a different <see cref="DeviceInput.PlaceId"/> moves it (its mappings follow it).</summary>
    public async Task UpdateDeviceAsync(Guid id, DeviceInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "edit devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var device = await FindDeviceAsync(db, id, ct);
        await ApplyAsync(db, device, input, ct);
        Audit(db, "device.updated", $"Edited device '{device.Name}'.");
        await db.SaveChangesAsync(ct);
    }

    public async Task MoveDeviceAsync(Guid id, Guid placeId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "move devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var device = await FindDeviceAsync(db, id, ct);
        var place = await db.Set<Place>().SingleOrDefaultAsync(p => p.Id == placeId, ct)
            ?? throw PortalException.Invalid(nameof(DeviceInput.PlaceId), "The place to move into does not exist.");
        device.PlaceId = place.Id;
        Audit(db, "device.moved", $"Moved device '{device.Name}' to '{place.Name}'.");
        await db.SaveChangesAsync(ct);
    }

    public async Task DeleteDeviceAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "delete devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var device = await FindDeviceAsync(db, id, ct);
        var mapped = await MappedExternalIdsAsync(db, [], [id], ct);
        if (mapped.Count > 0)
        {
            throw PortalException.Conflict(
                $"'{device.Name}' cannot be deleted: {mapped.Count} resource mapping(s) use it ({string.Join(", ", mapped.Take(5))}). Remove those mappings first.");
        }

        db.Remove(device);
        Audit(db, "device.deleted", $"Deleted device '{device.Name}'.");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Checks a CSV of devices for <paramref name="placeId"/> without writing anything. Columns:
    /// name, type (a device type key), and optionally serial_number and external_ids (separated by ';').
    /// </summary>
    public async Task<CsvPreview> PreviewDeviceImportAsync(Guid placeId, string csv, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "import devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await FindPlaceAsync(db, placeId, ct);
        return (await ReadDeviceCsvAsync(db, placeId, csv, ct)).Preview;
    }

    /// <summary>Imports every row of the CSV, or (when any row is invalid) nothing, with the rows' errors.</summary>
    public async Task<int> ImportDevicesAsync(Guid placeId, string csv, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "import devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var place = await FindPlaceAsync(db, placeId, ct);
        var (preview, devices) = await ReadDeviceCsvAsync(db, placeId, csv, ct);
        if (!preview.IsValid)
        {
            throw preview.ToError();
        }

        db.AddRange(devices);
        Audit(db, "device.imported", $"Imported {devices.Count} device(s) into '{place.Name}'.");
        await db.SaveChangesAsync(ct);
        return devices.Count;
    }

    private async Task<(CsvPreview Preview, List<Device> Devices)> ReadDeviceCsvAsync(
        PortalDbContext db, Guid placeId, string csv, CancellationToken ct)
    {
        var (header, rows, fileErrors) = Csv.ReadTable(csv, ["name", "type"]);
        var types = (await DeviceTypeDefaults.EnsureAsync(db, ct)).ToDictionary(t => t.Key, StringComparer.OrdinalIgnoreCase);
        var serials = new HashSet<string>(
            await db.Set<Device>().Where(d => d.SerialNumber != null).Select(d => d.SerialNumber!).ToListAsync(ct), StringComparer.OrdinalIgnoreCase);
        var results = new List<CsvRowResult>();
        var devices = new List<Device>();
        foreach (var (line, fields) in fileErrors.Count > 0 ? [] : rows)
        {
            var errors = new List<string>();
            var name = Csv.Field(header, fields, "name");
            var typeKey = Csv.Field(header, fields, "type");
            var serial = Csv.Field(header, fields, "serial_number");
            var externalIds = SplitList(Csv.Field(header, fields, "external_ids"));
            if (name.Length == 0)
            {
                errors.Add("The name is empty.");
            }
            else if (name.Length > ResourceLimits.Name)
            {
                errors.Add("The name is longer than 100 characters.");
            }

            if (!types.TryGetValue(typeKey, out var type))
            {
                errors.Add($"'{typeKey}' is not a device type (use one of {string.Join(", ", types.Keys)}).");
            }

            if (serial.Length > ResourceLimits.ExternalId)
            {
                errors.Add("The serial number is longer than 200 characters.");
            }
            else if (serial.Length > 0 && !serials.Add(serial))
            {
                errors.Add($"Serial number '{serial}' is already used by another device or row.");
            }

            if (externalIds.Count > ResourceLimits.MetadataEntries || externalIds.Any(e => e.Length > ResourceLimits.ExternalId))
            {
                errors.Add("Up to 50 external ids of up to 200 characters each.");
            }

            results.Add(new CsvRowResult(line, fields, errors));
            if (errors.Count == 0)
            {
                devices.Add(new Device
                {
                    Name = name, PlaceId = placeId, DeviceTypeId = type!.Id, SerialNumber = serial.Length > 0 ? serial : null,
                    ExternalIds = externalIds, CreatedAt = time.GetUtcNow(),
                });
            }
        }

        return (new CsvPreview(header, results, fileErrors), devices);
    }

    private async Task ApplyAsync(PortalDbContext db, Device device, DeviceInput input, CancellationToken ct)
    {
        InputValidation.ThrowIfInvalid(input);
        (input.Metadata, input.ExternalIds) = (input.Metadata ?? [], input.ExternalIds ?? []); // an API client may send nulls
        ValidateMetadata(input.Metadata);
        var placeId = input.PlaceId!.Value;
        if (!await db.Set<Place>().AnyAsync(p => p.Id == placeId, ct))
        {
            throw PortalException.Invalid(nameof(DeviceInput.PlaceId), "The place does not exist.");
        }

        var types = await DeviceTypeDefaults.EnsureAsync(db, ct);
        var type = types.FirstOrDefault(t => string.Equals(t.Key, input.DeviceType, StringComparison.OrdinalIgnoreCase))
            ?? throw PortalException.Invalid(nameof(DeviceInput.DeviceType), $"'{input.DeviceType}' is not a device type.");
        var externalIds = input.ExternalIds.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()).Distinct().ToList();
        if (externalIds.Count > ResourceLimits.MetadataEntries || externalIds.Any(e => e.Length > ResourceLimits.ExternalId))
        {
            throw PortalException.Invalid(nameof(DeviceInput.ExternalIds), "Up to 50 external ids of up to 200 characters each.");
        }

        var serial = string.IsNullOrWhiteSpace(input.SerialNumber) ? null : input.SerialNumber.Trim();
        if (serial is not null && await db.Set<Device>().AnyAsync(d => d.SerialNumber == serial && d.Id != device.Id, ct))
        {
            throw PortalException.Invalid(nameof(DeviceInput.SerialNumber), $"Another device already has serial number '{serial}'.");
        }

        device.Name = input.Name.Trim();
        device.PlaceId = placeId;
        device.DeviceTypeId = type.Id;
        device.SerialNumber = serial;
        device.ExternalIds = externalIds;
        device.Metadata = new Dictionary<string, string>(input.Metadata);
    }

    private static void Validate(PlaceInput input)
    {
        InputValidation.ThrowIfInvalid(input);
        input.Metadata ??= []; // an API client may send null
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZone.Trim(), out _))
        {
            throw PortalException.Invalid(nameof(PlaceInput.TimeZone), $"'{input.TimeZone}' is not a time zone; use an IANA name like Europe/Berlin.");
        }

        // Weather and maps need both: half a position would be stored and then skipped silently.
        if (input.Latitude is null != input.Longitude is null)
        {
            throw input.Latitude is null
                ? PortalException.Invalid(nameof(PlaceInput.Latitude), "Enter the latitude too, or clear the longitude: a position needs both.")
                : PortalException.Invalid(nameof(PlaceInput.Longitude), "Enter the longitude too, or clear the latitude: a position needs both.");
        }

        ValidateMetadata(input.Metadata);
    }

    private static void ValidateMetadata(Dictionary<string, string> metadata)
    {
        if (metadata.Count > ResourceLimits.MetadataEntries || metadata.Any(m => m.Key.Trim().Length is 0 or > 100 || m.Value is null || m.Value.Length > 500))
        {
            throw PortalException.Invalid("Metadata", "Metadata takes up to 50 entries with a key of 1-100 and a value of up to 500 characters.");
        }
    }

    private static void Apply(Place place, PlaceInput input)
    {
        place.Name = input.Name.Trim();
        place.Address = string.IsNullOrWhiteSpace(input.Address) ? null : input.Address.Trim();
        place.Latitude = input.Latitude;
        place.Longitude = input.Longitude;
        place.TimeZone = input.TimeZone.Trim();
        place.Metadata = new Dictionary<string, string>(input.Metadata);
    }

    internal static List<string> SplitList(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

    private static DeviceSummary Summarize(Device d, DeviceType type) => new(
        d.Id, d.PlaceId, d.Name, ResourcePath.ForDevice(d.PlaceId, d.Id), type.Key, type.Name, type.Icon, d.SerialNumber, d.ExternalIds, d.Metadata);

    private static async Task<string?> WhyNotDeletableAsync(
        PortalDbContext db, Place place, List<Guid> placeIds, List<Guid> deviceIds, CancellationToken ct)
    {
        var mapped = await MappedExternalIdsAsync(db, placeIds, deviceIds, ct);
        return mapped.Count == 0
            ? null
            : $"'{place.Name}' cannot be deleted: {mapped.Count} resource mapping(s) use it or something in it " +
              $"({string.Join(", ", mapped.Take(5))}{(mapped.Count > 5 ? ", ..." : "")}). Remove those mappings first.";
    }

    private static async Task<List<string>> MappedExternalIdsAsync(
        PortalDbContext db, List<Guid> placeIds, List<Guid> deviceIds, CancellationToken ct) =>
        await db.Set<ResourceMapping>()
            .Where(m => (m.ResourceKind == ResourceKind.Place && placeIds.Contains(m.ResourceId))
                        || (m.ResourceKind == ResourceKind.Device && deviceIds.Contains(m.ResourceId)))
            .OrderBy(m => m.ExternalId).Select(m => m.ExternalId).ToListAsync(ct);

    private static async Task<Place> FindPlaceAsync(PortalDbContext db, Guid id, CancellationToken ct) =>
        await db.Set<Place>().SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw PortalException.NotFound("The place");

    private static async Task<Device> FindDeviceAsync(PortalDbContext db, Guid id, CancellationToken ct) =>
        await db.Set<Device>().SingleOrDefaultAsync(d => d.Id == id, ct) ?? throw PortalException.NotFound("The device");

    private void Audit(PortalDbContext db, string action, string details) => db.Audit(currentUser, time, action, details);
}
