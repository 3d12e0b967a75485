using IntegrationsPortal.Infrastructure.Events;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>Progress of pulls and backfills, for pages that show them live on every node (like IntegrationEvents).</summary>
public sealed class IngestionEvents
{
    private readonly Action<Guid> _publish;

    public IngestionEvents(LiveEvents live) => _publish = live.Register<Guid>("ingestion.run-changed", id => RunChanged?.Invoke(id));

    public event Action<Guid>? RunChanged;

    public void Publish(Guid integrationId) => _publish(integrationId);
}
