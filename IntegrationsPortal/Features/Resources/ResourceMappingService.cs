using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Resources;

/// <summary>
/// An integration's resource mappings: external id to place or device. The rules come from
/// <see cref="IIntegrationResourceRules"/>: an external id is unique within the integration, the
/// resource must be of an allowed kind and in this organization, and with "each resource once" a
/// resource takes one external id at most. A refused change changes nothing.
/// </summary>
public sealed class ResourceMappingService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    IIntegrationResourceRules integrationRules,
    TimeProvider time)
{
    private static readonly string[] CsvColumns = ["external_id", "resource_path"];

    /// <summary>The integration's rules; "integration not found" when it is not one of this organization's.</summary>
    public async Task<MappingRules> GetRulesAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see resource mappings");
        return await integrationRules.GetRulesAsync(integrationId, ct) ?? throw PortalException.NotFound("The integration");
    }

    /// <summary>
    /// "Place name (external id)" of the mapped places without coordinates, for an integration that
    /// asks by coordinates (weather): they get nothing until latitude and longitude are set.
    /// </summary>
    public async Task<IReadOnlyList<string>> PlacesWithoutCoordinatesAsync(Guid integrationId, CancellationToken ct = default)
    {
        if (!(await GetRulesAsync(integrationId, ct)).NeedsCoordinates)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (from m in db.Set<ResourceMapping>()
                      join p in db.Set<Place>() on m.ResourceId equals p.Id
                      where m.IntegrationId == integrationId && m.ResourceKind == ResourceKind.Place && (p.Latitude == null || p.Longitude == null)
                      orderby p.Name
                      select p.Name + " (" + m.ExternalId + ")").ToListAsync(ct);
    }

    /// <summary>A page of mappings, newest first; <paramref name="search"/> matches the external id or the resource's name.</summary>
    public async Task<MappingPage> ListAsync(Guid integrationId, string? search = null, int skip = 0, int take = 20, CancellationToken ct = default)
    {
        var matching = await LoadAsync(integrationId, search, ct);
        return new MappingPage(matching.Skip(Math.Max(skip, 0)).Take(Math.Clamp(take, 1, 500)).ToList(), matching.Count);
    }

    /// <summary>Checks a mapping as the form is filled in, without saving; <paramref name="mappingId"/> when editing one.</summary>
    public async Task<MappingCheck> CheckAsync(Guid integrationId, MappingInput input, Guid? mappingId = null, CancellationToken ct = default)
    {
        var rules = await GetRulesAsync(integrationId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await CheckAsync(db, integrationId, rules, input, mappingId, ct);
    }

    public async Task<ResourceMappingSummary> CreateAsync(Guid integrationId, MappingInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "change resource mappings");
        var rules = await GetRulesAsync(integrationId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct); // checks and write as one
        var resource = await RequireValidAsync(db, integrationId, rules, input, null, ct);
        var mapping = new ResourceMapping
        {
            IntegrationId = integrationId, ExternalId = input.ExternalId.Trim(),
            ResourceKind = resource.Kind, ResourceId = resource.Id, CreatedAt = time.GetUtcNow(),
        };
        db.Add(mapping);
        Audit(db, "mapping.created", $"Mapped '{mapping.ExternalId}' to {resource.Path} on integration {integrationId}.");
        await SaveAsync(db, ct);
        await transaction.CommitAsync(ct);
        return new ResourceMappingSummary(mapping.Id, integrationId, mapping.ExternalId, resource, mapping.CreatedAt);
    }

    public async Task UpdateAsync(Guid integrationId, Guid mappingId, MappingInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "change resource mappings");
        var rules = await GetRulesAsync(integrationId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct); // checks and write as one
        var mapping = await FindAsync(db, integrationId, mappingId, ct);
        var resource = await RequireValidAsync(db, integrationId, rules, input, mappingId, ct);
        mapping.ExternalId = input.ExternalId.Trim();
        mapping.ResourceKind = resource.Kind;
        mapping.ResourceId = resource.Id;
        Audit(db, "mapping.updated", $"Mapped '{mapping.ExternalId}' to {resource.Path} on integration {integrationId}.");
        await SaveAsync(db, ct);
        await transaction.CommitAsync(ct);
    }

    public async Task DeleteAsync(Guid integrationId, Guid mappingId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "change resource mappings");
        await GetRulesAsync(integrationId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mapping = await FindAsync(db, integrationId, mappingId, ct);
        db.Remove(mapping);
        Audit(db, "mapping.deleted", $"Removed the mapping of '{mapping.ExternalId}' on integration {integrationId}.");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Ingress: the resource an external id is mapped to, or null when it is not mapped.</summary>
    public async Task<ResourceInfo?> FindResourceAsync(Guid integrationId, string externalId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see resource mappings");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var id = externalId.Trim();
        var mapping = await db.Set<ResourceMapping>().AsNoTracking()
            .SingleOrDefaultAsync(m => m.IntegrationId == integrationId && m.ExternalId == id, ct);
        return mapping is null ? null : await ResourcePathService.DescribeAsync(db, mapping.ResourceKind, mapping.ResourceId, ct);
    }

    /// <summary>Egress: the external ids an integration knows a resource by (any path form of it), in order.</summary>
    public async Task<IReadOnlyList<string>> FindExternalIdsAsync(Guid integrationId, string resourcePath, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see resource mappings");
        if (!ResourcePath.TryParse(resourcePath, out var parsed))
        {
            throw PortalException.Invalid("ResourcePath", "That is not a resource path.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<ResourceMapping>().AsNoTracking()
            .Where(m => m.IntegrationId == integrationId && m.ResourceKind == parsed!.Kind && m.ResourceId == parsed.Id)
            .OrderBy(m => m.ExternalId).Select(m => m.ExternalId).ToListAsync(ct);
    }

    /// <summary>Every mapping of the integration as CSV (external_id, resource_path, resource_name), by external id.</summary>
    public async Task<string> ExportCsvAsync(Guid integrationId, CancellationToken ct = default)
    {
        var all = await LoadAsync(integrationId, null, ct);
        return Csv.Write([.. CsvColumns, "resource_name"],
            all.OrderBy(m => m.ExternalId, StringComparer.Ordinal).Select(m => new[] { m.ExternalId, m.Resource?.Path ?? "", m.Resource?.Breadcrumb ?? "" }));
    }

    /// <summary>
    /// Checks a CSV (external_id, resource_path) without writing. A row with an external id that is
    /// already mapped moves that mapping to the row's resource, so an exported file imports back unchanged.
    /// </summary>
    public async Task<CsvPreview> PreviewImportAsync(Guid integrationId, string csv, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "import resource mappings");
        var rules = await GetRulesAsync(integrationId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await ReadCsvAsync(db, integrationId, rules, csv, ct)).Preview;
    }

    /// <summary>Imports every row, or (when any row is invalid) nothing; returns how many mappings were added or changed.</summary>
    public async Task<int> ImportCsvAsync(Guid integrationId, string csv, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "import resource mappings");
        var rules = await GetRulesAsync(integrationId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct); // checks and write as one
        var (preview, targets) = await ReadCsvAsync(db, integrationId, rules, csv, ct);
        if (!preview.IsValid)
        {
            throw preview.ToError();
        }

        var existing = await db.Set<ResourceMapping>().Where(m => m.IntegrationId == integrationId).ToDictionaryAsync(m => m.ExternalId, ct);
        foreach (var (externalId, resource) in targets)
        {
            if (existing.TryGetValue(externalId, out var mapping))
            {
                mapping.ResourceKind = resource.Kind;
                mapping.ResourceId = resource.Id;
            }
            else
            {
                db.Add(new ResourceMapping
                {
                    IntegrationId = integrationId, ExternalId = externalId, ResourceKind = resource.Kind, ResourceId = resource.Id, CreatedAt = time.GetUtcNow(),
                });
            }
        }

        Audit(db, "mapping.imported", $"Imported {targets.Count} mapping(s) on integration {integrationId}.");
        await SaveAsync(db, ct);
        await transaction.CommitAsync(ct);
        return targets.Count;
    }

    private async Task<(CsvPreview Preview, List<(string ExternalId, ResourceInfo Resource)> Targets)> ReadCsvAsync(
        PortalDbContext db, Guid integrationId, MappingRules rules, string csv, CancellationToken ct)
    {
        var (header, rows, fileErrors) = Csv.ReadTable(csv, CsvColumns);
        var existing = await db.Set<ResourceMapping>().AsNoTracking().Where(m => m.IntegrationId == integrationId).ToListAsync(ct);
        // The state after the import: existing mappings, with the file's rows replacing or adding.
        var final = existing.ToDictionary(m => m.ExternalId, m => (m.ResourceKind, m.ResourceId), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var parsed = new List<(int Line, string[] Fields, List<string> Errors, ResourceInfo? Resource, string ExternalId)>();
        foreach (var (line, fields) in fileErrors.Count > 0 ? [] : rows)
        {
            var externalId = Csv.Field(header, fields, "external_id");
            var errors = new List<string>();
            if (externalId.Length == 0 || externalId.Length > ResourceLimits.ExternalId)
            {
                errors.Add("The external id must have 1-200 characters.");
            }
            else if (!seen.Add(externalId))
            {
                errors.Add($"External id '{externalId}' appears more than once in the file.");
            }

            var check = await ResourcePathService.ValidateAsync(db, Csv.Field(header, fields, "resource_path"), rules.Allowed, ct);
            if (!check.IsValid)
            {
                errors.Add(check.Message);
            }
            else if (errors.Count == 0)
            {
                final[externalId] = (check.Resource!.Kind, check.Resource.Id);
            }

            parsed.Add((line, fields, errors, check.IsValid ? check.Resource : null, externalId));
        }

        if (rules.EachResourceOnce)
        {
            var taken = final.GroupBy(m => m.Value).Where(g => g.Count() > 1).ToDictionary(g => g.Key, g => g.Select(m => m.Key).Order().ToList());
            foreach (var row in parsed.Where(r => r.Errors.Count == 0 && taken.ContainsKey((r.Resource!.Kind, r.Resource.Id))))
            {
                var others = taken[(row.Resource!.Kind, row.Resource.Id)].Where(e => e != row.ExternalId);
                row.Errors.Add($"{row.Resource.Name} may be mapped once, and is also mapped to {string.Join(", ", others)}.");
            }
        }

        var preview = new CsvPreview(header, parsed.Select(r => new CsvRowResult(r.Line, r.Fields, r.Errors)).ToList(), fileErrors);
        return (preview, parsed.Where(r => r.Errors.Count == 0).Select(r => (r.ExternalId, r.Resource!)).ToList());
    }

    /// <summary>
    /// The integration's mappings with their resources, newest first, filtered in memory: the search
    /// also matches resource names, which live in other tables (an integration maps hundreds, not millions).
    /// </summary>
    private async Task<List<ResourceMappingSummary>> LoadAsync(Guid integrationId, string? search, CancellationToken ct)
    {
        await GetRulesAsync(integrationId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mappings = await db.Set<ResourceMapping>().AsNoTracking().Where(m => m.IntegrationId == integrationId)
            .OrderByDescending(m => m.CreatedAt).ThenBy(m => m.ExternalId).ToListAsync(ct);
        var resources = await ResourcePathService.DescribeManyAsync(db, mappings.Select(m => (m.ResourceKind, m.ResourceId)).ToList(), ct);
        var term = search?.Trim() ?? "";
        return mappings
            .Select(m => new ResourceMappingSummary(m.Id, m.IntegrationId, m.ExternalId, resources.GetValueOrDefault((m.ResourceKind, m.ResourceId)), m.CreatedAt))
            .Where(m => term.Length == 0
                        || m.ExternalId.Contains(term, StringComparison.OrdinalIgnoreCase)
                        || (m.Resource?.Breadcrumb.Contains(term, StringComparison.OrdinalIgnoreCase) ?? false))
            .ToList();
    }

    private static async Task<MappingCheck> CheckAsync(
        PortalDbContext db, Guid integrationId, MappingRules rules, MappingInput input, Guid? mappingId, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var externalId = input.ExternalId?.Trim() ?? "";
        if (externalId.Length == 0)
        {
            errors[nameof(MappingInput.ExternalId)] = "Enter the external id, as the provider names it.";
        }
        else if (externalId.Length > ResourceLimits.ExternalId)
        {
            errors[nameof(MappingInput.ExternalId)] = "At most 200 characters.";
        }
        else if (await db.Set<ResourceMapping>().AnyAsync(m => m.IntegrationId == integrationId && m.ExternalId == externalId && m.Id != mappingId, ct))
        {
            errors[nameof(MappingInput.ExternalId)] = $"'{externalId}' is already mapped in this integration.";
        }

        ResourceInfo? resource = null;
        if (string.IsNullOrWhiteSpace(input.ResourcePath))
        {
            errors[nameof(MappingInput.ResourcePath)] = "Pick a place or device.";
        }
        else
        {
            var check = await ResourcePathService.ValidateAsync(db, input.ResourcePath, rules.Allowed, ct);
            resource = check.Resource;
            if (!check.IsValid)
            {
                errors[nameof(MappingInput.ResourcePath)] = check.Message;
            }
            else if (rules.EachResourceOnce)
            {
                var other = await db.Set<ResourceMapping>().AsNoTracking()
                    .Where(m => m.IntegrationId == integrationId && m.ResourceKind == resource!.Kind && m.ResourceId == resource.Id && m.Id != mappingId)
                    .Select(m => m.ExternalId).FirstOrDefaultAsync(ct);
                if (other is not null)
                {
                    errors[nameof(MappingInput.ResourcePath)] = $"{resource!.Name} is already mapped to '{other}'; this integration maps each resource once.";
                }
            }
        }

        return new MappingCheck(errors, resource);
    }

    private static async Task<ResourceInfo> RequireValidAsync(
        PortalDbContext db, Guid integrationId, MappingRules rules, MappingInput input, Guid? mappingId, CancellationToken ct)
    {
        var check = await CheckAsync(db, integrationId, rules, input, mappingId, ct);
        if (!check.IsValid)
        {
            throw new PortalException(PortalErrorKind.Validation, string.Join(" ", check.Errors.Values),
                check.Errors.ToDictionary(e => e.Key, e => new[] { e.Value }));
        }

        return check.Resource!;
    }

    private static async Task<ResourceMapping> FindAsync(PortalDbContext db, Guid integrationId, Guid mappingId, CancellationToken ct) =>
        await db.Set<ResourceMapping>().SingleOrDefaultAsync(m => m.Id == mappingId && m.IntegrationId == integrationId, ct)
            ?? throw PortalException.NotFound("The mapping");

    /// <summary>Saves; a concurrent save of the same external id hits the unique index and becomes a conflict.</summary>
    private static async Task SaveAsync(PortalDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw PortalException.Conflict("Someone changed these mappings at the same time; reload and try again.");
        }
    }

    private void Audit(PortalDbContext db, string action, string details) => db.Audit(currentUser, time, action, details);
}
