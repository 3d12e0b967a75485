using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>The mapping rules of an integration come from its catalog type; a type without a mapping spec accepts any resource, many times.</summary>
public sealed class IntegrationResourceRules(IDbContextFactory<PortalDbContext> dbFactory) : IIntegrationResourceRules
{
    public async Task<MappingRules?> GetRulesAsync(Guid integrationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var typeKey = await db.Set<Integration>().Where(i => i.Id == integrationId).Select(i => i.TypeKey).SingleOrDefaultAsync(ct);
        if (typeKey is null)
        {
            return null;
        }

        var type = CatalogService.Get(typeKey);
        var mapping = type.Mapping;
        return new MappingRules(mapping?.Allowed ?? ResourceFilter.Any, mapping?.ResourceMappedOnce ?? false, type.Category == Categories.Weather);
    }
}
