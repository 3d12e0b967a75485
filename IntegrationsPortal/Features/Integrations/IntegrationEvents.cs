namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// Tells open pages that an integration changed (a verification finished, say), so they refresh
/// without a reload. In-process: with several portal nodes (PostgreSQL + Quartz clustering) a job
/// may run on another node, and pages there refresh on their next poll instead.
/// </summary>
public sealed class IntegrationEvents
{
    public event Action<Guid>? Changed;

    public void Publish(Guid integrationId) => Changed?.Invoke(integrationId);
}
