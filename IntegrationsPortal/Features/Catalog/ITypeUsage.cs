using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// How many integrations of each type the current organization has, for the catalog's "in use" counts and
/// the one-per-organization rule. The Integrations feature, above this one, answers it (docs/decisions/041).
/// </summary>
public interface ITypeUsage
{
    Task<Dictionary<string, int>> CountByTypeAsync(PortalDbContext db, CancellationToken ct);
}
