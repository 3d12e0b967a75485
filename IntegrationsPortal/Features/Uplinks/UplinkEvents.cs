using IntegrationsPortal.Infrastructure.Events;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>
/// Uplinks stored or refused for an integration, for pages that show them live on every node (like
/// IntegrationEvents). Published once per integration per committed batch, not per uplink.
/// </summary>
public sealed class UplinkEvents
{
    private readonly Action<Guid> _publish;

    public UplinkEvents(LiveEvents live) => _publish = live.Register<Guid>("uplink.changed", id => Changed?.Invoke(id));

    public event Action<Guid>? Changed;

    public void Publish(Guid integrationId) => _publish(integrationId);
}

/// <summary>
/// Carries a token issued by the create wizard to the integration's page in the same circuit, where it
/// is shown once: taking it removes it, and it never goes into a URL or the browser's storage.
/// </summary>
public sealed class UplinkTokenHandoff
{
    private readonly Dictionary<Guid, IssuedUplinkToken> _issued = [];

    public void Give(Guid integrationId, IssuedUplinkToken token) => _issued[integrationId] = token;

    public IssuedUplinkToken? Take(Guid integrationId) => _issued.Remove(integrationId, out var token) ? token : null;
}
