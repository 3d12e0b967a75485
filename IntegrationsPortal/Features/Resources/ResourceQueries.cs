using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Resources;

/// <summary>Look-ups the place, device and device-import services share.</summary>
internal static class ResourceQueries
{
    public static async Task<Place> FindPlaceAsync(this PortalDbContext db, Guid id, CancellationToken ct) =>
        await db.Set<Place>().SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw PortalException.NotFound("The place");

    public static async Task<Device> FindDeviceAsync(this PortalDbContext db, Guid id, CancellationToken ct) =>
        await db.Set<Device>().SingleOrDefaultAsync(d => d.Id == id, ct) ?? throw PortalException.NotFound("The device");

    /// <summary>The external ids of the mappings that point at any of these places or devices, which keep them from being deleted.</summary>
    public static async Task<List<string>> MappedExternalIdsAsync(
        this PortalDbContext db, List<Guid> placeIds, List<Guid> deviceIds, CancellationToken ct) =>
        await db.Set<ResourceMapping>()
            .Where(m => (m.ResourceKind == ResourceKind.Place && placeIds.Contains(m.ResourceId))
                        || (m.ResourceKind == ResourceKind.Device && deviceIds.Contains(m.ResourceId)))
            .OrderBy(m => m.ExternalId).Select(m => m.ExternalId).ToListAsync(ct);

    public static DeviceSummary Summarize(Device d, DeviceType type) => new(
        d.Id, d.PlaceId, d.Name, ResourcePath.ForDevice(d.PlaceId, d.Id), type.Key, type.Name, type.Icon, d.SerialNumber, d.ExternalIds, d.Metadata);
}
