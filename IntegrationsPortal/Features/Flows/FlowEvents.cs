using IntegrationsPortal.Infrastructure.Events;

namespace IntegrationsPortal.Features.Flows;

/// <summary>
/// News of flows for open pages on every node, like DeliveryEvents: runs a flow has just recorded (the
/// editor's debug view, the history, the list's counts), and a flow created, deployed, switched or deleted (the list).
/// </summary>
public sealed class FlowEvents
{
    private readonly Action<Guid> _runsRecorded;
    private readonly Action<Guid> _flowChanged;

    public FlowEvents(LiveEvents live)
    {
        _runsRecorded = live.Register<Guid>("flow.runs-recorded", id => RunsRecorded?.Invoke(id));
        _flowChanged = live.Register<Guid>("flow.changed", id => FlowChanged?.Invoke(id));
    }

    public event Action<Guid>? RunsRecorded;

    public event Action<Guid>? FlowChanged;

    public void Publish(Guid flowId) => _runsRecorded(flowId);

    public void Changed(Guid flowId) => _flowChanged(flowId);
}
