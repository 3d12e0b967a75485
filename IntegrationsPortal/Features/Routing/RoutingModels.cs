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
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Why the rule cannot route now, in words, or null: the rules page shows it as a warning.</summary>
    public string? Warning => !Enabled ? null
        : Integration.CanServe(Capability) ? null
        : Fallback is { } fallback && fallback.CanServe(Capability)
            ? $"{Integration.Describe(Capability)}; operations go to the fallback '{fallback.Name}'."
            : $"{Integration.Describe(Capability)}; {(Fallback is null ? "there is no fallback" : $"the fallback '{Fallback.Name}' cannot take them either")}.";

    /// <summary>
    /// The same rule whatever changed: the rules grid keys its rows by item, and value equality (over a
    /// target's capability list, a new list on every load) would replace every row, its Edit and Delete
    /// buttons included, on each live refresh (see IngestionRunView).
    /// </summary>
    public bool Equals(RoutingRuleView? other) => other is not null && other.Id == Id;

    public override int GetHashCode() => Id.GetHashCode(StringComparison.Ordinal);
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
