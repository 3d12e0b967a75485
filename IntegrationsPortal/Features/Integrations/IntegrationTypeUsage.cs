using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>The catalog's question, how many integrations of each type this organization has.</summary>
public sealed class IntegrationTypeUsage : ITypeUsage
{
    public Task<Dictionary<string, int>> CountByTypeAsync(PortalDbContext db, CancellationToken ct) =>
        db.Set<Integration>().GroupBy(i => i.TypeKey)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
}
