using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Flows.Destinations;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Flows;

/// <summary>A problem with a flow's graph, on a node (shown on it in the editor) or on the whole flow.</summary>
public sealed record FlowProblem(string? NodeId, string Message);

public sealed record FlowValidation(IReadOnlyList<FlowProblem> Errors, IReadOnlyList<FlowProblem> Warnings)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Deploy's checks: the shape (a source and a destination, every node connected, edges in the
/// allowed directions, no cycle), then what the nodes name (the resources and integrations exist,
/// the functions compile, the destination parameters follow their kind's rules). A destination
/// that is not active is a warning: the flow deploys, and that destination gets nothing until it is.
/// </summary>
public sealed class FlowValidator(IDbContextFactory<PortalDbContext> dbFactory, FunctionSandbox sandbox)
{
    public async Task<FlowValidation> ValidateAsync(FlowGraph graph, CancellationToken ct)
    {
        var errors = Shape(graph);
        var warnings = new List<FlowProblem>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var node in graph.Nodes)
        {
            switch (node.Kind)
            {
                case FlowNodeKind.Source:
                    if (await SourceProblemAsync(db, node, ct) is { } sourceProblem)
                    {
                        errors.Add(new FlowProblem(node.Id, sourceProblem));
                    }

                    break;
                case FlowNodeKind.Function:
                    var code = node.Code ?? "";
                    var compiled = await sandbox.RunAsync(() =>
                    {
                        using var function = FlowFunction.TryCompile(code, sandbox.Limits, out var problem);
                        return problem;
                    });
                    if (compiled is { } failure)
                    {
                        errors.Add(new FlowProblem(node.Id, "The function does not compile: " + failure.ErrorText));
                    }

                    break;
                case FlowNodeKind.Destination:
                    await CheckDestinationAsync(db, node, errors, warnings, ct);
                    break;
            }
        }

        return new FlowValidation(errors, warnings);
    }

    /// <summary>The checks that need nothing but the graph.</summary>
    public static List<FlowProblem> Shape(FlowGraph graph)
    {
        var errors = new List<FlowProblem>();
        if (graph.Nodes.Count > FlowLimits.Nodes)
        {
            errors.Add(new FlowProblem(null, $"A flow may have up to {FlowLimits.Nodes} nodes."));
        }

        if (graph.Nodes.Any(n => string.IsNullOrWhiteSpace(n.Id) || n.Id.Length > 64) || graph.Nodes.DistinctBy(n => n.Id).Count() != graph.Nodes.Count)
        {
            errors.Add(new FlowProblem(null, "Every node needs its own id of up to 64 characters."));
            return errors;
        }

        if (!graph.Nodes.Any(n => n.Kind == FlowNodeKind.Source))
        {
            errors.Add(new FlowProblem(null, "Add a source: a device, a device type, a place or an ingress integration."));
        }

        if (!graph.Nodes.Any(n => n.Kind == FlowNodeKind.Destination))
        {
            errors.Add(new FlowProblem(null, "Add a destination: an egress integration or a capability to send the messages to."));
        }

        foreach (var edge in graph.Edges.Distinct())
        {
            var (from, to) = (graph.Node(edge.From), graph.Node(edge.To));
            if (from is null || to is null)
            {
                errors.Add(new FlowProblem(null, $"A connection from {edge.From} to {edge.To} names a node that is not in the flow."));
            }
            else if (from.Kind == FlowNodeKind.Destination || to.Kind == FlowNodeKind.Source || from.Id == to.Id)
            {
                errors.Add(new FlowProblem(from.Id, $"{Describe(from)} cannot connect to {Describe(to)}: connections go from sources to functions to destinations."));
            }
        }

        foreach (var node in graph.Nodes)
        {
            var hasIn = graph.Edges.Any(e => e.To == node.Id);
            var hasOut = graph.Edges.Any(e => e.From == node.Id);
            var missing = node.Kind switch
            {
                FlowNodeKind.Source when !hasOut => "is not connected to anything: connect it to a function or a destination.",
                FlowNodeKind.Function when !hasIn => "gets no messages: connect a source or a function to it.",
                FlowNodeKind.Function when !hasOut => "sends its output nowhere: connect it to a destination or a function.",
                FlowNodeKind.Destination when !hasIn => "gets no messages: connect a source or a function to it.",
                _ => null,
            };
            if (missing is not null)
            {
                errors.Add(new FlowProblem(node.Id, $"{Describe(node)} {missing}"));
            }
        }

        if (FindCycle(graph) is { } inCycle)
        {
            errors.Add(new FlowProblem(inCycle, $"{Describe(graph.Node(inCycle)!)} is in a loop: a message would go round forever. Remove one of the loop's connections."));
        }

        return errors;
    }

    /// <summary>A node on a cycle, or null (depth-first search with colours).</summary>
    private static string? FindCycle(FlowGraph graph)
    {
        var state = graph.Nodes.ToDictionary(n => n.Id, _ => 0);
        foreach (var start in graph.Nodes)
        {
            if (state[start.Id] != 0)
            {
                continue;
            }

            var stack = new Stack<(string Id, IEnumerator<string> Next)>();
            state[start.Id] = 1;
            stack.Push((start.Id, graph.Edges.Where(e => e.From == start.Id).Select(e => e.To).ToList().GetEnumerator()));
            while (stack.TryPeek(out var top))
            {
                if (!top.Next.MoveNext())
                {
                    state[top.Id] = 2;
                    stack.Pop();
                    continue;
                }

                var next = top.Next.Current;
                if (!state.TryGetValue(next, out var seen))
                {
                    continue;
                }

                if (seen == 1)
                {
                    return next;
                }

                if (seen == 0)
                {
                    state[next] = 1;
                    stack.Push((next, graph.Edges.Where(e => e.From == next).Select(e => e.To).ToList().GetEnumerator()));
                }
            }
        }

        return null;
    }

    private static async Task<string?> SourceProblemAsync(PortalDbContext db, FlowNode node, CancellationToken ct)
    {
        var reference = node.SourceRef?.Trim() ?? "";
        if (node.Source is null || reference.Length == 0)
        {
            return "Pick what this source listens to: a device, a device type, a place or an ingress integration.";
        }

        var id = Guid.TryParse(reference, out var parsed) ? parsed : Guid.Empty;
        switch (node.Source)
        {
            case FlowSourceKind.Device:
                return await db.Devices.AnyAsync(d => d.Id == id, ct) ? null : "The device was not found; pick another.";
            case FlowSourceKind.Place:
                return await db.Places.AnyAsync(p => p.Id == id, ct) ? null : "The place was not found; pick another.";
            case FlowSourceKind.DeviceType:
                return await db.DeviceTypes.AnyAsync(t => t.Key == reference, ct) || DeviceTypeDefaults.All.Any(t => t.Key == reference)
                    ? null
                    : $"There is no device type '{reference}'.";
            default:
                var typeKey = await db.Set<Integration>().Where(i => i.Id == id).Select(i => i.TypeKey).SingleOrDefaultAsync(ct);
                return typeKey is null ? "The integration was not found; pick another."
                    : CatalogData.Types.FirstOrDefault(t => t.Key == typeKey)?.Direction != IntegrationDirection.Ingress
                        ? "Only ingress integrations bring data in; this one sends it out."
                        : null;
        }
    }

    private static async Task CheckDestinationAsync(PortalDbContext db, FlowNode node, List<FlowProblem> errors, List<FlowProblem> warnings, CancellationToken ct)
    {
        if (node.Capability is not null)
        {
            await CheckCapabilityAsync(db, node, node.Capability, errors, warnings, ct);
            return;
        }

        var integration = node.IntegrationId is { } id
            ? await db.Set<Integration>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct)
            : null;
        if (integration is null)
        {
            errors.Add(new FlowProblem(node.Id, node.IntegrationId is null
                ? "Pick the integration this destination sends to."
                : "The destination's integration was not found (deleted?); pick another."));
            return;
        }

        if (CatalogData.Types.FirstOrDefault(t => t.Key == integration.TypeKey) is not { Direction: IntegrationDirection.Egress })
        {
            errors.Add(new FlowProblem(node.Id, $"'{integration.Name}' brings data in; a destination must send it out."));
            return;
        }

        foreach (var (name, problem) in DestinationKinds.For(integration.TypeKey).Validate(node.Parameters))
        {
            errors.Add(new FlowProblem(node.Id, $"{name}: {problem}"));
        }

        if (integration.Status != IntegrationStatus.Active)
        {
            warnings.Add(new FlowProblem(node.Id,
                $"'{integration.Name}' is {IntegrationLifecycle.Label(integration.Status)}: it receives nothing from this flow until it is active."));
        }
    }

    /// <summary>
    /// A capability destination: routable, parameters valid for every type offering it; no route now is
    /// a warning (like an inactive integration), since rules can be added or fixed without redeploying.
    /// </summary>
    private static async Task CheckCapabilityAsync(PortalDbContext db, FlowNode node, string capability, List<FlowProblem> errors, List<FlowProblem> warnings, CancellationToken ct)
    {
        if (!CapabilityDestination.IsRoutable(capability))
        {
            errors.Add(new FlowProblem(node.Id, $"'{capability}' is not a routable capability; pick one of {string.Join(", ", CapabilityDestination.All)}."));
            return;
        }

        foreach (var (name, problem) in CapabilityDestination.Validate(capability, node.Parameters))
        {
            errors.Add(new FlowProblem(node.Id, $"{name}: {problem}"));
        }

        if (await Routing.ProviderRouter.RouteAsync(db, capability, [], ct) is null)
        {
            var hasRule = await db.Set<Routing.RoutingRule>().AnyAsync(r => r.Capability == capability && r.Enabled, ct);
            warnings.Add(new FlowProblem(node.Id, hasRule
                ? $"{Routing.ProviderRouter.NoActiveProvider(capability)}: this destination receives nothing until a rule's integration or fallback is active."
                : $"No routing rule sends {capability} anywhere yet: this destination receives nothing until one does."));
        }
    }

    private static string Describe(FlowNode node) => node.Label is { Length: > 0 } label
        ? $"'{label}'"
        : $"The {node.Kind.ToString().ToLowerInvariant()} {node.Id}";
}
