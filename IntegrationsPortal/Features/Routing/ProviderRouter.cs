using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Routing;

/// <summary>Where an operation goes: the integration, the rule that sent it there, and whether that was the rule's fallback.</summary>
public sealed record Route(Integration Integration, RoutingRule Rule, bool FallbackUsed);

/// <summary>
/// Evaluates the routing rules of a capability: the enabled rules by priority (highest first, the
/// default first among equals, then the oldest); a rule's integration if it is active with the
/// capability enabled, otherwise its fallback under the same test. Integrations that are
/// pending_verify, inactive, in error or deleted are never chosen, and neither is one in
/// <c>excluded</c> (those an operation already failed on for good).
/// </summary>
public static class ProviderRouter
{
    public const string NoActiveProviderCode = "no_active_provider";

    public static string NoActiveProvider(string capability) => $"no active provider for {capability}";

    /// <summary>The route, or null when nothing can take <paramref name="capability"/> now.</summary>
    public static async Task<Route?> RouteAsync(PortalDbContext db, string capability, IReadOnlyCollection<Guid> excluded, CancellationToken ct)
    {
        var rules = await db.Set<RoutingRule>().AsNoTracking()
            .Where(r => r.Capability == capability && r.Enabled)
            .OrderByDescending(r => r.Priority).ThenByDescending(r => r.IsDefault).ThenBy(r => r.Id)
            .ToListAsync(ct);
        var ids = rules.SelectMany(r => r.FallbackIntegrationId is { } f ? [r.IntegrationId, f] : new[] { r.IntegrationId }).Distinct().ToList();
        // The soft-delete filter leaves deleted integrations out: they are never found, so never chosen.
        var candidates = await db.Set<Integration>().AsNoTracking()
            .Where(i => ids.Contains(i.Id) && i.Status == IntegrationStatus.Active)
            .ToDictionaryAsync(i => i.Id, ct);

        Integration? Eligible(Guid? id) =>
            id is { } key && !excluded.Contains(key) && candidates.TryGetValue(key, out var integration) && integration.EnabledCapabilities.Contains(capability)
                ? integration
                : null;

        foreach (var rule in rules)
        {
            if (Eligible(rule.IntegrationId) is { } primary)
            {
                return new Route(primary, rule, FallbackUsed: false);
            }

            if (Eligible(rule.FallbackIntegrationId) is { } fallback)
            {
                return new Route(fallback, rule, FallbackUsed: true);
            }
        }

        return null;
    }
}
