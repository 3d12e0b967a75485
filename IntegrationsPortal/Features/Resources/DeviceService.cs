using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Resources;

/// <summary>
/// The devices in places, and the organization's device types. Reading needs View, changing needs
/// Operate, extending the device-type list needs Administer. A device is saved only when it meets
/// <see cref="DeviceRules"/>, the rules the CSV import (<see cref="DeviceCsvImport"/>) checks too.
/// A device is not deleted while a resource mapping points at it.
/// </summary>
public sealed class DeviceService(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
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
        await db.FindPlaceAsync(placeId, ct);
        var types = (await DeviceTypeDefaults.EnsureAsync(db, ct)).ToDictionary(t => t.Id);
        var devices = await db.Set<Device>().AsNoTracking().Where(d => d.PlaceId == placeId).OrderBy(d => d.Name).ToListAsync(ct);
        return devices.Select(d => ResourceQueries.Summarize(d, types[d.DeviceTypeId])).ToList();
    }

    public async Task<DeviceSummary> GetDeviceAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var device = await db.FindDeviceAsync(id, ct);
        var type = await db.Set<DeviceType>().AsNoTracking().SingleAsync(t => t.Id == device.DeviceTypeId, ct);
        return ResourceQueries.Summarize(device, type);
    }

    public async Task<Guid> CreateDeviceAsync(DeviceInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "add devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rules = await DeviceRules.LoadAsync(db, ct);
        rules.ThrowIfInvalid(input);
        var device = new Device { Name = "", CreatedAt = time.GetUtcNow() };
        rules.Apply(input, device);
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
        var device = await db.FindDeviceAsync(id, ct);
        var rules = await DeviceRules.LoadAsync(db, ct);
        rules.ThrowIfInvalid(input, device.Id);
        rules.Apply(input, device);
        Audit(db, "device.updated", $"Edited device '{device.Name}'.");
        await db.SaveChangesAsync(ct);
    }

    public async Task DeleteDeviceAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "delete devices");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var device = await db.FindDeviceAsync(id, ct);
        var mapped = await db.MappedExternalIdsAsync([], [id], ct);
        if (mapped.Count > 0)
        {
            throw PortalException.Conflict(
                $"'{device.Name}' cannot be deleted: {mapped.Count} resource mapping(s) use it ({string.Join(", ", mapped.Take(5))}). Remove those mappings first.");
        }

        db.Remove(device);
        Audit(db, "device.deleted", $"Deleted device '{device.Name}'.");
        await db.SaveChangesAsync(ct);
    }

    private void Audit(PortalDbContext db, string action, string details) => db.Audit(currentUser, time, action, details);
}
