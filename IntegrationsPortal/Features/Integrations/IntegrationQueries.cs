using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>Reading integrations as an operator sees them: the list and one integration's detail, secrets never opened.</summary>
public sealed class IntegrationQueries(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>
    /// The organization's integrations by name, for pickers and filters (the audit trail's among them: the
    /// Audit feature sits below this one and does not read integrations itself, docs/decisions/041).
    /// </summary>
    public async Task<IReadOnlyList<IntegrationName>> NamesAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<Integration>().AsNoTracking().OrderBy(i => i.Name)
            .Select(i => new IntegrationName(i.Id, i.Name)).ToListAsync(ct);
    }

    public async Task<PagedResult<IntegrationRow>> ListAsync(IntegrationQuery query, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integrations = db.Set<Integration>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = TextSearch.Containing(query.Search);
            integrations = integrations.WhereIgnoringCase(db, i => EF.Functions.Like(i.Name, pattern, TextSearch.Escape));
        }

        var typeKeys = CatalogData.Types
            .Where(t => query.Direction is null || t.Direction == query.Direction)
            .Where(t => query.Category is null || t.Category == query.Category)
            .Where(t => query.TypeKey is null || t.Key == query.TypeKey)
            .Select(t => t.Key)
            .ToList();
        if (query.Direction is not null || query.Category is not null || query.TypeKey is not null)
        {
            integrations = integrations.Where(i => typeKeys.Contains(i.TypeKey));
        }

        if (query.Status is { } status)
        {
            integrations = integrations.Where(i => i.Status == status);
        }

        var total = await integrations.CountAsync(ct);
        var rows = await Sort(integrations, query.SortBy, query.Descending)
            .Skip(Math.Max(0, query.Skip))
            .Take(Math.Clamp(query.Take, 1, 200))
            .Select(i => new { i.Id, i.Name, i.TypeKey, i.Status, i.CreatedAt, i.UpdatedAt })
            .ToListAsync(ct);
        return new PagedResult<IntegrationRow>(rows.Select(r =>
        {
            var type = CatalogService.Get(r.TypeKey);
            return new IntegrationRow(r.Id, r.Name, r.TypeKey, type.DisplayName, type.Icon, type.Direction, type.Category, r.Status, r.CreatedAt, r.UpdatedAt);
        }).ToList(), total);
    }

    public async Task<IntegrationDetail> GetAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await Integration.FindAsync(db, id, ct);
        var type = CatalogService.Get(integration.TypeKey);
        return new IntegrationDetail(
            integration.Id, integration.Name, type, integration.Status, integration.Properties,
            type.Properties.Where(p => p.Sensitive).ToDictionary(p => p.Name, p => integration.SecretNames.Contains(p.Name)),
            integration.Metadata, integration.VerifiedAt, integration.LastError, integration.CreatedAt, integration.UpdatedAt)
        {
            EnabledCapabilities = integration.EnabledCapabilities,
        };
    }

    private static IQueryable<Integration> Sort(IQueryable<Integration> query, IntegrationSort by, bool descending) => (by, descending) switch
    {
        (IntegrationSort.Name, false) => query.OrderBy(i => i.Name).ThenBy(i => i.Id),
        (IntegrationSort.Name, true) => query.OrderByDescending(i => i.Name).ThenBy(i => i.Id),
        (IntegrationSort.Type, false) => query.OrderBy(i => i.TypeKey).ThenBy(i => i.Name),
        (IntegrationSort.Type, true) => query.OrderByDescending(i => i.TypeKey).ThenBy(i => i.Name),
        (IntegrationSort.Status, false) => query.OrderBy(i => i.Status).ThenBy(i => i.Name),
        (IntegrationSort.Status, true) => query.OrderByDescending(i => i.Status).ThenBy(i => i.Name),
        (IntegrationSort.UpdatedAt, false) => query.OrderBy(i => i.UpdatedAt),
        (IntegrationSort.UpdatedAt, true) => query.OrderByDescending(i => i.UpdatedAt),
        (_, false) => query.OrderBy(i => i.CreatedAt),
        _ => query.OrderByDescending(i => i.CreatedAt),
    };
}
