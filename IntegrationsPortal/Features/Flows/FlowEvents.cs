namespace IntegrationsPortal.Features.Flows;

/// <summary>Runs a flow has just recorded, for the editor's debug view and the history (in-process, like DeliveryEvents).</summary>
public sealed class FlowEvents
{
    public event Action<Guid>? RunsRecorded;

    public void Publish(Guid flowId) => RunsRecorded?.Invoke(flowId);
}
