using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Resources;

/// <summary>
/// The place tree. Reading needs View, changing needs Operate. A place is not deleted while a
/// resource mapping points at it, anything below it, or a device in it, so an integration never
/// loses its target silently. Devices are <see cref="DeviceService"/>'s.
/// </summary>
public sealed class PlaceService(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
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
        var place = await db.FindPlaceAsync(id, ct);
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
        var place = await db.FindPlaceAsync(id, ct);
        Apply(place, input);
        Audit(db, "place.updated", $"Edited place '{place.Name}'.");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Moves a place under another (or to the top with null); never under itself or its descendants.</summary>
    public async Task MovePlaceAsync(Guid id, Guid? newParentId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "move places");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var place = await db.FindPlaceAsync(id, ct);
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
    /// Why a place cannot be deleted (mappings use it or something in it), or null when it can: the page
    /// asks before its confirmation, so the operator is not asked to confirm a delete that is then refused.
    /// </summary>
    public async Task<string?> WhyPlaceCannotBeDeletedAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see places");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var place = await db.FindPlaceAsync(id, ct);
        var placeIds = (await PlaceIndex.LoadAsync(db, ct)).Subtree(id);
        var deviceIds = await db.Set<Device>().Where(d => placeIds.Contains(d.PlaceId)).Select(d => d.Id).ToListAsync(ct);
        return await WhyNotDeletableAsync(db, place, placeIds, deviceIds, ct);
    }

    /// <summary>
    /// Deletes a place. With children or devices it needs <paramref name="cascade"/>, which deletes them
    /// too; while a mapping uses the place or anything below it, it is refused either way.
    /// </summary>
    public async Task DeletePlaceAsync(Guid id, bool cascade = false, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "delete places");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // SQLite's transactions here take the write lock at once: no mapping can appear between check and delete.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var place = await db.FindPlaceAsync(id, ct);
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

        if (!MetadataRules.IsValid(input.Metadata))
        {
            throw PortalException.Invalid(MetadataRules.Field, MetadataRules.Limits);
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

    private static async Task<string?> WhyNotDeletableAsync(
        PortalDbContext db, Place place, List<Guid> placeIds, List<Guid> deviceIds, CancellationToken ct)
    {
        var mapped = await db.MappedExternalIdsAsync(placeIds, deviceIds, ct);
        return mapped.Count == 0
            ? null
            : $"'{place.Name}' cannot be deleted: {mapped.Count} resource mapping(s) use it or something in it " +
              $"({string.Join(", ", mapped.Take(5))}{(mapped.Count > 5 ? ", ..." : "")}). Remove those mappings first.";
    }

    private void Audit(PortalDbContext db, string action, string details) => db.Audit(currentUser, time, action, details);
}
