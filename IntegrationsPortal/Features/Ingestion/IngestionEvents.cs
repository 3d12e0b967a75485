namespace IntegrationsPortal.Features.Ingestion;

/// <summary>Progress of pulls and backfills, for pages that show them live (in-process, like IntegrationEvents).</summary>
public sealed class IngestionEvents
{
    public event Action<Guid>? RunChanged;

    public void Publish(Guid integrationId) => RunChanged?.Invoke(integrationId);
}
