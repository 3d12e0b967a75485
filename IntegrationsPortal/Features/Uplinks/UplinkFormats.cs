using System.Reflection;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>
/// Finds a pushed type's <see cref="IUplinkFormat"/> by key, and checks at start that every type whose
/// entry <see cref="IntegrationType.ReceivesPushes"/> has one, naming the type that lacks it
/// (built while the start-up type check builds <see cref="TypeCode{TRole}"/>, through <see cref="UplinkEndpointVerifier"/>).
/// </summary>
public sealed class UplinkFormats
{
    private readonly Dictionary<string, IUplinkFormat> _byKey;

    public UplinkFormats(IEnumerable<IUplinkFormat> formats)
    {
        _byKey = formats
            .SelectMany(f => (f.GetType().GetCustomAttribute<ForTypesAttribute>()?.TypeKeys ?? []).Select(key => (key, f)))
            .ToDictionary(p => p.key, p => p.f, StringComparer.Ordinal);
        var missing = CatalogData.Types
            .Where(t => t.ReceivesPushes && t.Availability != TypeAvailability.Disabled && !_byKey.ContainsKey(t.Key))
            .Select(t => $"The integration type '{t.Key}' ({t.DisplayName}) receives pushes but has no uplink format: register an IUplinkFormat marked [ForTypes(\"{t.Key}\")].")
            .ToList();
        if (missing.Count > 0)
        {
            throw new IntegrationTypeCodeMissingException(missing);
        }
    }

    public IUplinkFormat? For(string typeKey) => _byKey.GetValueOrDefault(typeKey);
}

/// <summary>
/// Pushed types call nothing: the network calls the portal. Verification succeeds once the integration
/// exists; the endpoint URL and the token are what the operator pastes into the network server.
/// </summary>
[ForTypes(TypeKeys.HeliumUplinks, TypeKeys.ThingsStackUplinks, TypeKeys.ChirpStackUplinks, TypeKeys.HttpUplinks)]
public sealed class UplinkEndpointVerifier(UplinkFormats formats) : IIntegrationVerifier
{
    public Task<VerificationResult> VerifyAsync(ConfiguredIntegration configuration, CancellationToken ct) =>
        Task.FromResult(formats.For(configuration.Type.Key) is null
            ? VerificationResult.Failed("This type has no uplink format.")
            : VerificationResult.Success("The uplink endpoint is ready: the network server pushes to it with the integration's token."));
}
