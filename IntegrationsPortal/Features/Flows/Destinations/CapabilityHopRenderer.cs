using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Operations;

namespace IntegrationsPortal.Features.Flows.Destinations;

/// <summary>Each hop of a flow's capability message rendered for its integration's type, as the first route was.</summary>
public sealed class CapabilityHopRenderer : IFlowHopRenderer
{
    public KeyedMessage Render(Guid integrationId, string typeKey, string message, IReadOnlyDictionary<string, string> parameters, string idempotencyKey) =>
        CapabilityDestination.Message(integrationId, typeKey, message, parameters, idempotencyKey);
}
