using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Resources;

/// <summary>
/// The organization's place tree in memory (id, parent, name), for breadcrumbs, subtree walks and
/// cycle checks. One query per operation; place trees are hundreds of rows, not millions.
/// </summary>
internal sealed class PlaceIndex
{
    private readonly Dictionary<Guid, (Guid? ParentId, string Name)> _places;
    private readonly ILookup<Guid?, Guid> _children;

    private PlaceIndex(Dictionary<Guid, (Guid? ParentId, string Name)> places)
    {
        _places = places;
        _children = places.ToLookup(p => p.Value.ParentId, p => p.Key);
    }

    public static async Task<PlaceIndex> LoadAsync(PortalDbContext db, CancellationToken ct) =>
        new(await db.Set<Place>().AsNoTracking()
            .Select(p => new { p.Id, p.ParentId, p.Name })
            .ToDictionaryAsync(p => p.Id, p => (p.ParentId, p.Name), ct));

    public bool Contains(Guid id) => _places.ContainsKey(id);

    public IEnumerable<Guid> ChildrenOf(Guid? id) => _children[id];

    public string NameOf(Guid id) => _places[id].Name;

    /// <summary>The place and everything below it.</summary>
    public List<Guid> Subtree(Guid id)
    {
        var result = new List<Guid>();
        var pending = new Stack<Guid>([id]);
        while (pending.TryPop(out var next))
        {
            result.Add(next);
            foreach (var child in _children[next])
            {
                pending.Push(child);
            }
        }

        return result;
    }

    /// <summary>"Site / Building / Floor": the names from the root down to <paramref name="id"/>.</summary>
    public string Breadcrumb(Guid id)
    {
        var names = new List<string>();
        for (Guid? at = id; at is { } current && _places.TryGetValue(current, out var place) && names.Count < 1000; at = place.ParentId)
        {
            names.Add(place.Name);
        }

        names.Reverse();
        return string.Join(" / ", names);
    }
}

/// <summary>The device types an organization starts with.</summary>
internal static class DeviceTypeDefaults
{
    public static readonly IReadOnlyList<(string Key, string Name, string Icon)> All =
    [
        ("meter", "Meter", "speed"),
        ("thermostat", "Thermostat", "thermostat"),
        ("vehicle", "Vehicle", "local_shipping"),
        ("sensor", "Sensor", "sensors"),
        ("gateway", "Gateway", "router"),
    ];

    /// <summary>
    /// Seeds the defaults the first time an organization's types are read (lazily, so no setup step or
    /// migration has to know every organization). A racing second seed hits the unique key and is ignored.
    /// </summary>
    public static async Task<List<DeviceType>> EnsureAsync(PortalDbContext db, CancellationToken ct)
    {
        var types = await db.Set<DeviceType>().AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        if (types.Count > 0)
        {
            return types;
        }

        var seeded = All.Select(d => new DeviceType { Key = d.Key, Name = d.Name, Icon = d.Icon }).ToList();
        db.Set<DeviceType>().AddRange(seeded);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return await db.Set<DeviceType>().AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        }

        db.ChangeTracker.Clear();
        return seeded.OrderBy(t => t.Name).ToList();
    }
}
