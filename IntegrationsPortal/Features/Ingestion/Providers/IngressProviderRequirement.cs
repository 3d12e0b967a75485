using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Ingestion.Providers;

/// <summary>
/// Every active ingress integration is pulled on its schedule, and backfills use the same provider:
/// an ingress type that does not receive pushes needs one.
/// </summary>
public sealed class IngressProviderRequirement(TypeCode<IIngressProvider> providers) : ITypeCodeRequirement
{
    public IEnumerable<string> Missing(IntegrationType type)
    {
        if (type.Direction == IntegrationDirection.Ingress && !type.ReceivesPushes && !providers.Has(type.Key))
        {
            yield return $"{ITypeCodeRequirement.Name(type)} pulls data but has no ingress provider: register an IIngressProvider marked [ForTypes(\"{type.Key}\")].";
        }
    }
}
