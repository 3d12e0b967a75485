using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Resources;

/// <summary>
/// Resolves and validates resource paths, and browses the resource tree for pickers.
/// Another organization's ids are answered as <see cref="ResourcePathProblem.UnknownId"/>, exactly
/// like ids that never existed: the tenant filter hides them, and telling the two apart would let
/// anyone probe for other organizations' ids (the same rule as users in docs/decisions/003).
/// </summary>
public sealed class ResourcePathService(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<ResourcePathCheck> ValidateAsync(string? path, ResourceFilter? accepts = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "look up resources");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ValidateAsync(db, path, accepts, ct);
    }

    /// <summary>The children of <paramref name="path"/> (the top-level places for an empty path), devices after places.</summary>
    public async Task<IReadOnlyList<ResourceNode>> BrowseAsync(string? path, ResourceFilter? accepts = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "browse resources");
        accepts ??= ResourceFilter.Any;
        Guid? placeId = null;
        if (!string.IsNullOrWhiteSpace(path))
        {
            if (!ResourcePath.TryParse(path, out var parsed) || parsed!.Kind != ResourceKind.Place)
            {
                throw PortalException.Invalid("Path", "Only the root and places have children; a place path is places/{id}.");
            }

            placeId = parsed.Id;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var places = await PlaceIndex.LoadAsync(db, ct);
        if (placeId is { } id && !places.Contains(id))
        {
            throw PortalException.NotFound("The place");
        }

        var types = (await DeviceTypeDefaults.EnsureAsync(db, ct)).ToDictionary(t => t.Id);
        var placesWithDevices = (await db.Set<Device>().Select(d => d.PlaceId).Distinct().ToListAsync(ct)).ToHashSet();
        var nodes = places.ChildrenOf(placeId)
            .Select(child => new ResourceNode(ResourceKind.Place, child, ResourcePath.ForPlace(child), places.NameOf(child), "place", null,
                places.ChildrenOf(child).Any() || placesWithDevices.Contains(child), accepts.Places))
            .OrderBy(n => n.Name, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
        if (placeId is { } parent)
        {
            var devices = await db.Set<Device>().AsNoTracking().Where(d => d.PlaceId == parent).OrderBy(d => d.Name).ToListAsync(ct);
            nodes.AddRange(devices
                .Select(d => (Device: d, Type: types[d.DeviceTypeId]))
                .Where(x => accepts.Accepts(ResourceKind.Device, x.Type.Key))
                .Select(x => new ResourceNode(ResourceKind.Device, x.Device.Id, ResourcePath.ForDevice(parent, x.Device.Id),
                    x.Device.Name, x.Type.Icon, x.Type.Key, false, true)));
        }

        return nodes;
    }

    /// <summary>Places and devices whose name, serial number or external id contains <paramref name="text"/>.</summary>
    public async Task<IReadOnlyList<ResourceInfo>> SearchAsync(string text, ResourceFilter? accepts = null, int take = 50, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "search resources");
        accepts ??= ResourceFilter.Any;
        var pattern = TextSearch.Containing(text ?? "");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var places = await PlaceIndex.LoadAsync(db, ct);
        var types = (await DeviceTypeDefaults.EnsureAsync(db, ct)).ToDictionary(t => t.Id);
        var results = new List<ResourceInfo>();
        if (accepts.Places)
        {
            var matches = await db.Set<Place>().AsNoTracking().WhereIgnoringCase(db, p => EF.Functions.Like(p.Name, pattern, TextSearch.Escape))
                .OrderBy(p => p.Name).Take(take).Select(p => p.Id).ToListAsync(ct);
            results.AddRange(matches.Select(id => DescribePlace(places, id)));
        }

        var devices = await db.Set<Device>().AsNoTracking()
            .WhereIgnoringCase(db, d => EF.Functions.Like(d.Name, pattern, TextSearch.Escape)
                || (d.SerialNumber != null && EF.Functions.Like(d.SerialNumber, pattern, TextSearch.Escape)))
            .OrderBy(d => d.Name).Take(take * 2).ToListAsync(ct);
        results.AddRange(devices
            .Where(d => accepts.Accepts(ResourceKind.Device, types[d.DeviceTypeId].Key))
            .Select(d => DescribeDevice(places, d, types[d.DeviceTypeId])));
        return results.Take(take).ToList();
    }

    internal static async Task<ResourcePathCheck> ValidateAsync(PortalDbContext db, string? path, ResourceFilter? accepts, CancellationToken ct)
    {
        if (!ResourcePath.TryParse(path, out var parsed))
        {
            return new(ResourcePathProblem.Malformed,
                "That is not a resource path; use places/{id}, places/{id}/devices/{id} or devices/{id}.", null);
        }

        var resource = await DescribeAsync(db, parsed!.Kind, parsed.Id, ct);
        if (resource is null)
        {
            return new(ResourcePathProblem.UnknownId, $"There is no {(parsed.Kind == ResourceKind.Place ? "place" : "device")} with id {parsed.Id}.", null);
        }

        if (parsed.PlaceId is { } placeId && resource.Path != ResourcePath.ForDevice(placeId, parsed.Id))
        {
            return new(ResourcePathProblem.NotInPlace, $"The device {resource.Name} is not in place {placeId}; its path is {resource.Path}.", resource);
        }

        if (accepts is not null && !accepts.Accepts(resource.Kind, resource.DeviceTypeKey))
        {
            var what = resource.Kind == ResourceKind.Place ? "a place" : $"a {resource.DeviceTypeKey}";
            return new(ResourcePathProblem.WrongKind, $"{resource.Name} is {what}; this needs {accepts.Describe()}.", resource);
        }

        return new(ResourcePathProblem.None, "", resource);
    }

    /// <summary>The resource by kind and id in the current organization, or null.</summary>
    internal static async Task<ResourceInfo?> DescribeAsync(PortalDbContext db, ResourceKind kind, Guid id, CancellationToken ct) =>
        (await DescribeManyAsync(db, [(kind, id)], ct)).GetValueOrDefault((kind, id));

    internal static async Task<Dictionary<(ResourceKind, Guid), ResourceInfo>> DescribeManyAsync(
        PortalDbContext db, IReadOnlyCollection<(ResourceKind Kind, Guid Id)> resources, CancellationToken ct)
    {
        var result = new Dictionary<(ResourceKind, Guid), ResourceInfo>();
        if (resources.Count == 0)
        {
            return result;
        }

        var places = await PlaceIndex.LoadAsync(db, ct);
        foreach (var (_, id) in resources.Where(r => r.Kind == ResourceKind.Place && places.Contains(r.Id)))
        {
            result[(ResourceKind.Place, id)] = DescribePlace(places, id);
        }

        var deviceIds = resources.Where(r => r.Kind == ResourceKind.Device).Select(r => r.Id).Distinct().ToList();
        if (deviceIds.Count > 0)
        {
            var types = await db.Set<DeviceType>().AsNoTracking().ToDictionaryAsync(t => t.Id, ct);
            var devices = await db.Set<Device>().AsNoTracking().Where(d => deviceIds.Contains(d.Id)).ToListAsync(ct);
            foreach (var device in devices)
            {
                result[(ResourceKind.Device, device.Id)] = DescribeDevice(places, device, types[device.DeviceTypeId]);
            }
        }

        return result;
    }

    private static ResourceInfo DescribePlace(PlaceIndex places, Guid id) =>
        new(ResourceKind.Place, id, ResourcePath.ForPlace(id), places.NameOf(id), "place", null, places.Breadcrumb(id));

    private static ResourceInfo DescribeDevice(PlaceIndex places, Device device, DeviceType type) =>
        new(ResourceKind.Device, device.Id, ResourcePath.ForDevice(device.PlaceId, device.Id), device.Name, type.Icon, type.Key,
            $"{places.Breadcrumb(device.PlaceId)} / {device.Name}");
}
