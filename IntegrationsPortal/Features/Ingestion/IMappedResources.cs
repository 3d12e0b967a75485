using IntegrationsPortal.Features.Ingestion.Providers;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>What an ingress integration's external ids stand for on the platform, from its resource mappings.</summary>
public interface IMappedResources
{
    /// <summary>External id -> resource path, for every mapping of the integration.</summary>
    Task<IReadOnlyDictionary<string, string>> ByExternalIdAsync(Guid integrationId, CancellationToken ct);

    /// <summary>Mapped places with coordinates (weather is asked for by place).</summary>
    Task<IReadOnlyList<PlaceCoordinates>> PlacesAsync(Guid integrationId, CancellationToken ct);
}
