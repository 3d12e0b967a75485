using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>Every type an organization can add is verified, so every one needs a verifier.</summary>
public sealed class VerifierRequirement(TypeCode<IIntegrationVerifier> verifiers) : ITypeCodeRequirement
{
    public IEnumerable<string> Missing(IntegrationType type)
    {
        if (!verifiers.Has(type.Key))
        {
            yield return $"{ITypeCodeRequirement.Name(type)} has no verifier: register an IIntegrationVerifier marked [ForTypes(\"{type.Key}\")].";
        }
    }
}
