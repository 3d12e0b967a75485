using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Features.Flows.Destinations;

/// <summary>
/// A destination that names a routable capability (notify, send_sms, ...) instead of an integration:
/// the routing rules pick the integration at run time. Its parameters are those of every egress type
/// offering the capability, and a value must satisfy every kind that takes it, so a rule pointed
/// elsewhere after Deploy never meets a parameter its new type refuses (decision 039). At run time
/// the resolved type's kind gets only the parameters it understands.
/// </summary>
public static class CapabilityDestination
{
    /// <summary>The routable capabilities, in a stable order for the palette and the picker.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Capabilities.Routable.Order(StringComparer.Ordinal)];

    public static bool IsRoutable(string? capability) => capability is not null && Capabilities.Routable.Contains(capability);

    /// <summary>The kinds of the egress types that offer <paramref name="capability"/>, once each.</summary>
    public static IReadOnlyList<DestinationKind> Kinds(string capability) =>
        [.. CatalogData.Types
            .Where(t => t.Direction == IntegrationDirection.Egress && t.RoutableCapabilities.Contains(capability))
            .Select(t => DestinationKinds.For(t.Key))
            .Distinct()];

    /// <summary>Every parameter some type offering the capability understands, once per name.</summary>
    public static IReadOnlyList<DestinationParameter> Parameters(string capability) =>
        [.. Kinds(capability).SelectMany(k => k.Parameters).DistinctBy(p => p.Name)];

    /// <summary>Field errors keyed by parameter name: unknown to every type offering it, or refused by one that takes it.</summary>
    public static Dictionary<string, string> Validate(string capability, IReadOnlyDictionary<string, string> values)
    {
        var kinds = Kinds(capability);
        var errors = new Dictionary<string, string>();
        foreach (var (name, value) in values)
        {
            var takers = kinds.Where(k => k.Parameters.Any(p => p.Name == name)).ToList();
            if (takers.Count == 0)
            {
                errors[name] = $"No integration offering {capability} takes '{name}'.";
                continue;
            }

            var single = new Dictionary<string, string> { [name] = value };
            if (takers.Select(k => k.Validate(single).GetValueOrDefault(name)).FirstOrDefault(e => e is not null) is { } problem)
            {
                errors[name] = problem;
            }
        }

        return errors;
    }

    /// <summary>The values the resolved integration's kind understands; the rest are for other types offering the capability.</summary>
    public static IReadOnlyDictionary<string, string> For(DestinationKind kind, IReadOnlyDictionary<string, string> values) =>
        values.Where(v => kind.Parameters.Any(p => p.Name == v.Key)).ToDictionary(v => v.Key, v => v.Value);

    /// <summary>
    /// The outbox message for a capability destination once routed to an integration of <paramref name="typeKey"/>:
    /// the flow's message rendered by that type's kind with the parameters it understands. Used for the first route
    /// and for every re-route after a final failure (the operation's next hop, decision 034).
    /// </summary>
    public static KeyedMessage Message(Guid integrationId, string typeKey, string message, IReadOnlyDictionary<string, string> values, string idempotencyKey)
    {
        var kind = DestinationKinds.For(typeKey);
        using var json = JsonDocument.Parse(message);
        var rendered = kind.Render(json.RootElement, For(kind, values));
        return new KeyedMessage(integrationId, FlowRunner.EventType, rendered.Payload, idempotencyKey, rendered.Parameters);
    }
}
