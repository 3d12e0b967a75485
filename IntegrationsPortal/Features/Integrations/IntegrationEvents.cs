using IntegrationsPortal.Infrastructure.Events;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// Tells open pages that an integration changed (renamed, switched, a verification finished), so they
/// refresh without a reload: on this node at once, on the others through <see cref="LiveEvents"/>.
/// </summary>
public sealed class IntegrationEvents
{
    private readonly Action<Guid> _publish;

    public IntegrationEvents(LiveEvents live) => _publish = live.Register<Guid>("integration.changed", id => Changed?.Invoke(id));

    public event Action<Guid>? Changed;

    public void Publish(Guid integrationId) => _publish(integrationId);
}
