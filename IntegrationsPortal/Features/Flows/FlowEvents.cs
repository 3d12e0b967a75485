namespace IntegrationsPortal.Features.Flows;

/// <summary>
/// In-process news of flows, like DeliveryEvents: runs a flow has just recorded (the editor's debug
/// view, the history, the list's counts), and a flow created, deployed, switched or deleted (the list).
/// </summary>
public sealed class FlowEvents
{
    public event Action<Guid>? RunsRecorded;

    public event Action<Guid>? FlowChanged;

    public void Publish(Guid flowId) => RunsRecorded?.Invoke(flowId);

    public void Changed(Guid flowId) => FlowChanged?.Invoke(flowId);
}
