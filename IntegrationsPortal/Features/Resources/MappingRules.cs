namespace IntegrationsPortal.Features.Resources;

/// <summary>
/// What an integration accepts as mapping targets. <see cref="Allowed"/> lists Places and/or device
/// type keys (see <see cref="DeviceType.Key"/>); with <see cref="EachResourceOnce"/> a resource may be
/// the target of at most one external id of the integration.
/// </summary>
/// <see cref="NeedsCoordinates"/>: the integration asks its provider by a place's coordinates (weather), so a
/// mapped place without them gets nothing.
public sealed record MappingRules(ResourceFilter Allowed, bool EachResourceOnce, bool NeedsCoordinates = false);

/// <summary>
/// Supplied by the Integrations feature: the mapping rules of one integration of the current
/// organization, or null when there is no such integration there.
/// </summary>
public interface IIntegrationResourceRules
{
    Task<MappingRules?> GetRulesAsync(Guid integrationId, CancellationToken ct);
}
