using IntegrationsPortal.Features.Ingestion.Providers;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>An integration's resource mappings as ingestion needs them: one query for all of them.</summary>
public sealed class MappedResources(IDbContextFactory<PortalDbContext> dbFactory) : IMappedResources
{
    /// <summary>
    /// Readings are keyed by the resource's stable path (<c>places/{id}</c>, <c>devices/{id}</c>), not
    /// the one through its place: a device moved to another room keeps its history.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ByExternalIdAsync(Guid integrationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mappings = await db.Set<ResourceMapping>().AsNoTracking()
            .Where(m => m.IntegrationId == integrationId)
            .Select(m => new { m.ExternalId, m.ResourceKind, m.ResourceId })
            .ToListAsync(ct);
        return mappings.ToDictionary(m => m.ExternalId, m => StablePath(m.ResourceKind, m.ResourceId));
    }

    public static string StablePath(ResourceKind kind, Guid id) => kind == ResourceKind.Place ? ResourcePath.ForPlace(id) : $"devices/{id}";

    public async Task<IReadOnlyList<PlaceCoordinates>> PlacesAsync(Guid integrationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var places = await (from m in db.Set<ResourceMapping>()
                            join p in db.Set<Place>() on m.ResourceId equals p.Id
                            where m.IntegrationId == integrationId && m.ResourceKind == ResourceKind.Place
                                  && p.Latitude != null && p.Longitude != null
                            orderby m.ExternalId
                            select new { m.ExternalId, p.Latitude, p.Longitude }).ToListAsync(ct);
        return places.Select(p => new PlaceCoordinates(p.ExternalId, p.Latitude!.Value, p.Longitude!.Value)).ToList();
    }
}
