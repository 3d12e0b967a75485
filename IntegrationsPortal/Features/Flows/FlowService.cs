namespace IntegrationsPortal.Features.Flows;

/// <summary>Placeholder, filled in by the service step.</summary>
public sealed class FlowService;
