using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>A catalog card: the type, and what this organization may do with it.</summary>
public sealed record CatalogEntry(IntegrationType Type, bool CanAdd, string? Unavailable, int InUse);

public sealed record CatalogQuery(string? Search = null, IntegrationDirection? Direction = null, TypeAvailability? Availability = null);

/// <summary>The catalog as the current organization sees it: custom types only when enabled, and the one-per-organization rule applied.</summary>
public sealed class CatalogService(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, ITypeUsage usage)
{
    public static IntegrationType? Find(string typeKey) => CatalogData.Types.FirstOrDefault(t => t.Key == typeKey);

    public static IntegrationType Get(string typeKey) =>
        Find(typeKey) ?? throw PortalException.Invalid("TypeKey", $"There is no integration type '{typeKey}'.");

    public async Task<IReadOnlyList<CatalogEntry>> ListAsync(CatalogQuery query, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see the catalog");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var customEnabled = await CustomIntegrationsEnabledAsync(db, ct);
        var inUse = await usage.CountByTypeAsync(db, ct);

        return CatalogData.Types
            .Where(t => t.Availability != TypeAvailability.Custom || customEnabled)
            .Where(t => query.Direction is null || t.Direction == query.Direction)
            .Where(t => query.Availability is null || t.Availability == query.Availability)
            .Where(t => string.IsNullOrWhiteSpace(query.Search) || Matches(t, query.Search.Trim()))
            .Select(t => Entry(t, inUse.GetValueOrDefault(t.Key)))
            .ToList();
    }

    /// <summary>Why this organization may not add the type now, or null when it may.</summary>
    public static string? WhyNotAddable(IntegrationType type, bool customEnabled, int inUse) => type switch
    {
        { Availability: TypeAvailability.Disabled } => $"{type.DisplayName} is coming soon. Contact your representative to enable it.",
        { Availability: TypeAvailability.Custom } when !customEnabled => $"{type.DisplayName} is a custom integration your organization is not enabled for.",
        { SingleInstance: true } when inUse > 0 => $"Your organization already has a {type.DisplayName} integration; only one is allowed.",
        _ => null,
    };

    public static async Task<bool> CustomIntegrationsEnabledAsync(PortalDbContext db, CancellationToken ct) =>
        await db.Organizations.Where(o => o.Id == db.CurrentOrganizationIdForQueries).Select(o => o.CustomIntegrationsEnabled).SingleOrDefaultAsync(ct);

    private CatalogEntry Entry(IntegrationType type, int inUse)
    {
        var why = WhyNotAddable(type, customEnabled: true, inUse);
        return new CatalogEntry(type, why is null && currentUser.Can(PortalPermission.Operate), why, inUse);
    }

    private static bool Matches(IntegrationType type, string search) =>
        type.DisplayName.Contains(search, StringComparison.OrdinalIgnoreCase)
        || type.Category.Contains(search, StringComparison.OrdinalIgnoreCase)
        || type.Description.Contains(search, StringComparison.OrdinalIgnoreCase)
        || type.Key.Contains(search, StringComparison.OrdinalIgnoreCase);
}
