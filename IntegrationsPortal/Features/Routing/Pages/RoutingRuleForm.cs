namespace IntegrationsPortal.Features.Routing.Pages;

/// <summary>
/// The rule dialog's editable model. Its properties carry <see cref="RoutingRuleInput"/>'s names, so the
/// service's field errors land next to the matching inputs (ServiceErrors looks fields up by name).
/// </summary>
public sealed class RoutingRuleForm
{
    public string Capability { get; set; } = "";

    public Guid? IntegrationId { get; set; }

    public int Priority { get; set; }

    public bool IsDefault { get; set; }

    public Guid? FallbackIntegrationId { get; set; }

    public bool Enabled { get; set; } = true;

    public static RoutingRuleForm From(RoutingRuleView rule) => new()
    {
        Capability = rule.Capability,
        IntegrationId = rule.Integration.Id,
        Priority = rule.Priority,
        IsDefault = rule.IsDefault,
        FallbackIntegrationId = rule.Fallback?.Id,
        Enabled = rule.Enabled,
    };

    public RoutingRuleInput ToInput() => new()
    {
        Capability = Capability,
        IntegrationId = IntegrationId,
        Priority = Priority,
        IsDefault = IsDefault,
        FallbackIntegrationId = FallbackIntegrationId,
        Enabled = Enabled,
    };
}
