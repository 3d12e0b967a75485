using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Features.Operations;

/// <summary>
/// Renders a flow's message for the integration a hop goes to (decision 039). Flows owns the rendering
/// and sits above Operations (decision 041), so Operations asks through this seam, which Flows fills.
/// </summary>
public interface IFlowHopRenderer
{
    KeyedMessage Render(Guid integrationId, string typeKey, string message, IReadOnlyDictionary<string, string> parameters, string idempotencyKey);
}
