using IntegrationsPortal.Components.Shared;

namespace IntegrationsPortal.Features.Routing;

/// <summary>A rule as an operator or a program sets it; the service checks every field.</summary>
public sealed record RoutingRuleInput
{
    public string Capability { get; init; } = "";

    public Guid? IntegrationId { get; init; }

    public int Priority { get; init; }

    public bool IsDefault { get; init; }

    public Guid? FallbackIntegrationId { get; init; }

    public bool Enabled { get; init; } = true;
}

/// <summary>A rule as the pages and the API show it, with its targets' names and states.</summary>
public sealed record RoutingRuleView(
    string Id, string Capability, RuleTarget Integration, int Priority, bool IsDefault, RuleTarget? Fallback, bool Enabled,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : IGridRow
{
    /// <summary>Why the rule cannot route now, in words, or null: the rules page shows it as a warning.</summary>
    public string? Warning => !Enabled ? null
        : Integration.CanServe(Capability) ? null
        : Fallback is { } fallback && fallback.CanServe(Capability)
            ? $"{Integration.Describe(Capability)}; operations go to the fallback '{fallback.Name}'."
            : $"{Integration.Describe(Capability)}; {(Fallback is null ? "there is no fallback" : $"the fallback '{Fallback.Name}' cannot take them either")}.";

    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(RoutingRuleView? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

/// <summary>An integration a rule points at: enough to say whether it can take the rule's operations.</summary>
public sealed record RuleTarget(Guid Id, string ApiId, string Name, string TypeName, Integrations.IntegrationStatus? Status, IReadOnlyList<string> EnabledCapabilities)
{
    /// <summary>Null status: the integration was deleted.</summary>
    public bool CanServe(string capability) => Status == Integrations.IntegrationStatus.Active && EnabledCapabilities.Contains(capability);

    public string Describe(string capability) => Status switch
    {
        null => $"'{Name}' was deleted",
        Integrations.IntegrationStatus.Active when !EnabledCapabilities.Contains(capability) => $"'{Name}' does not have {capability} enabled",
        { } status => $"'{Name}' is {Integrations.IntegrationLifecycle.Label(status)}",
    };
}
