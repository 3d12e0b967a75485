namespace IntegrationsPortal.Features.Flows.Editor;

/// <summary>
/// The graph being edited and the edits the side panel (and the canvas) make to it. One instance per
/// editor page: every view edits this model and calls <see cref="Changed"/> listeners through it.
/// </summary>
public sealed class FlowEditorModel(string name, FlowGraph graph)
{
    public string Name { get; set; } = name;

    public FlowGraph Graph { get; private set; } = graph;

    public string? SelectedId { get; set; }

    public FlowNode? Selected => SelectedId is null ? null : Graph.Node(SelectedId);

    /// <summary>Raised after every edit, so the page keeps the unsaved work and redraws.</summary>
    public event Action? Changed;

    public void Replace(string name, FlowGraph graph)
    {
        Name = name;
        Graph = graph;
        SelectedId = null;
    }

    public void NotifyChanged() => Changed?.Invoke();

    public FlowNode Add(FlowNodeKind kind, double x = double.NaN, double y = double.NaN) => Add(new FlowPaletteItem(kind), x, y);

    /// <summary>Adds what the palette offers (a device, an integration, a function) at a point of the canvas, or in its kind's column.</summary>
    public FlowNode Add(FlowPaletteItem item, double x = double.NaN, double y = double.NaN)
    {
        var kind = item.Kind;
        var column = kind switch { FlowNodeKind.Source => 0, FlowNodeKind.Function => 1, _ => 2 };
        var node = new FlowNode
        {
            Id = Graph.NewNodeId(kind),
            Kind = kind,
            Source = kind == FlowNodeKind.Source ? item.Source ?? FlowSourceKind.Device : null,
            SourceRef = kind == FlowNodeKind.Source ? item.Reference : null,
            IntegrationId = kind == FlowNodeKind.Destination && Guid.TryParse(item.Reference, out var integration) ? integration : null,
            Capability = kind == FlowNodeKind.Destination ? item.Capability : null,
            Code = kind == FlowNodeKind.Function ? FlowEditorText.StarterFunction : null,
            // Without a drop point, stack the node in its kind's column, where auto-layout would put it.
            X = double.IsNaN(x) ? 40 + (column * 280) : Math.Round(x),
            Y = double.IsNaN(y) ? 40 + (Graph.Nodes.Count(n => n.Kind == kind) * 120) : Math.Round(y),
        };
        Graph.Nodes.Add(node);
        SelectedId = node.Id;
        NotifyChanged();
        return node;
    }

    /// <summary>Where the canvas shows a node, kept with the draft.</summary>
    public void Move(string nodeId, double x, double y)
    {
        if (Graph.Node(nodeId) is { } node && (node.X != Math.Round(x) || node.Y != Math.Round(y)))
        {
            (node.X, node.Y) = (Math.Round(x), Math.Round(y));
            NotifyChanged();
        }
    }

    public void Delete(string nodeId)
    {
        Graph.Nodes.RemoveAll(n => n.Id == nodeId);
        Graph.Edges.RemoveAll(e => e.From == nodeId || e.To == nodeId);
        if (SelectedId == nodeId)
        {
            SelectedId = null;
        }

        NotifyChanged();
    }

    /// <summary>The nodes <paramref name="fromId"/> may connect to: forwards only, not already connected, no loop.</summary>
    public IEnumerable<FlowNode> Targets(string fromId)
    {
        var from = Graph.Node(fromId);
        return from is null ? [] : Graph.Nodes.Where(to => CanConnect(from, to));
    }

    public bool CanConnect(FlowNode from, FlowNode to) => WhyNotConnect(from, to) is null;

    /// <summary>Why an edge from <paramref name="from"/> to <paramref name="to"/> is refused (null when it is allowed): the canvas says it.</summary>
    public string? WhyNotConnect(FlowNode from, FlowNode to) =>
        from.Kind == FlowNodeKind.Destination ? "A destination sends nothing on: it has no output."
        : to.Kind == FlowNodeKind.Source ? "A source takes nothing in: it has no input."
        : from.Id == to.Id ? "A node cannot feed itself."
        : Graph.Edges.Contains(new FlowEdge(from.Id, to.Id)) ? "These nodes are connected already."
        : Reaches(to.Id, from.Id) ? "That link would make a loop: messages would go round for ever."
        : null;

    public bool Connect(string fromId, string toId)
    {
        if (Graph.Node(fromId) is not { } from || Graph.Node(toId) is not { } to || !CanConnect(from, to))
        {
            return false;
        }

        Graph.Edges.Add(new FlowEdge(fromId, toId));
        NotifyChanged();
        return true;
    }

    public void Disconnect(FlowEdge edge)
    {
        if (Graph.Edges.Remove(edge))
        {
            NotifyChanged();
        }
    }

    /// <summary>Sources whose messages reach <paramref name="nodeId"/>, nearest first (for a function's test sample).</summary>
    public IEnumerable<FlowNode> UpstreamSources(string nodeId)
    {
        var seen = new HashSet<string>();
        var queue = new Queue<string>([nodeId]);
        while (queue.TryDequeue(out var id))
        {
            foreach (var edge in Graph.Edges.Where(e => e.To == id && seen.Add(e.From)))
            {
                if (Graph.Node(edge.From) is { Kind: FlowNodeKind.Source } source)
                {
                    yield return source;
                }

                queue.Enqueue(edge.From);
            }
        }
    }

    /// <summary>Columns by depth (sources left, destinations right), rows in order: what auto-layout does.</summary>
    public void AutoLayout()
    {
        var depth = Graph.Nodes.ToDictionary(n => n.Id, n => n.Kind == FlowNodeKind.Source ? 0 : 1);
        // Longest path from a source; the graph has no cycle (Connect refuses one), so this settles.
        for (var pass = 0; pass < Graph.Nodes.Count; pass++)
        {
            foreach (var edge in Graph.Edges.Where(e => depth.ContainsKey(e.From) && depth.ContainsKey(e.To)))
            {
                depth[edge.To] = Math.Max(depth[edge.To], depth[edge.From] + 1);
            }
        }

        var maxFunctionDepth = Graph.Nodes.Where(n => n.Kind != FlowNodeKind.Destination).Select(n => depth[n.Id]).DefaultIfEmpty(0).Max();
        foreach (var column in Graph.Nodes.GroupBy(n => n.Kind == FlowNodeKind.Destination ? maxFunctionDepth + 1 : depth[n.Id]))
        {
            var row = 0;
            foreach (var node in column)
            {
                node.X = 40 + (column.Key * 280);
                node.Y = 40 + (row++ * 120);
            }
        }

        NotifyChanged();
    }

    private bool Reaches(string fromId, string toId)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([fromId]);
        while (stack.TryPop(out var id))
        {
            if (id == toId)
            {
                return true;
            }

            foreach (var edge in Graph.Edges.Where(e => e.From == id && seen.Add(e.To)))
            {
                stack.Push(edge.To);
            }
        }

        return false;
    }
}
