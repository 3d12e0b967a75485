using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntegrationsPortal.Features.Flows;

public enum FlowNodeKind
{
    Source,
    Function,
    Destination,
}

public enum FlowSourceKind
{
    /// <summary>One device, by id.</summary>
    Device,
    /// <summary>Every device of a type, by the type's key (meter, vehicle, ...).</summary>
    DeviceType,
    /// <summary>Every place and device under a place (the place itself included), by id.</summary>
    Place,
    /// <summary>Everything an ingress integration brings in, by id.</summary>
    Integration,
}

/// <summary>
/// A flow's graph as saved in <see cref="FlowVersion.Graph"/>: nodes, and edges from an output to
/// an input. Plain settable classes, because the editor binds to them directly.
/// </summary>
public sealed class FlowGraph
{
    public List<FlowNode> Nodes { get; set; } = [];

    public List<FlowEdge> Edges { get; set; } = [];

    /// <summary>Also run on readings a backfill brings in (old data); off by default, only scheduled pulls run flows.</summary>
    public bool RunOnBackfills { get; set; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FlowGraph FromJson(string json) => JsonSerializer.Deserialize<FlowGraph>(json, Json) ?? new FlowGraph();

    public FlowNode? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    public IEnumerable<FlowNode> Successors(string id) =>
        Edges.Where(e => e.From == id).Select(e => Node(e.To)).OfType<FlowNode>();

    /// <summary>A node id not used yet: "function-3".</summary>
    public string NewNodeId(FlowNodeKind kind)
    {
        var prefix = kind.ToString().ToLowerInvariant();
        var n = 1;
        while (Nodes.Any(node => node.Id == $"{prefix}-{n}"))
        {
            n++;
        }

        return $"{prefix}-{n}";
    }
}

public sealed class FlowNode
{
    public string Id { get; set; } = "";

    public FlowNodeKind Kind { get; set; }

    /// <summary>The operator's name for the node; the editor shows the referenced thing's name when empty.</summary>
    public string? Label { get; set; }

    public FlowSourceKind? Source { get; set; }

    /// <summary>For sources: the device id, device type key, place id or integration id.</summary>
    public string? SourceRef { get; set; }

    /// <summary>For functions: JavaScript defining <c>function transform(message, context)</c>.</summary>
    public string? Code { get; set; }

    /// <summary>For destinations: the egress integration.</summary>
    public Guid? IntegrationId { get; set; }

    /// <summary>
    /// For destinations instead of <see cref="IntegrationId"/>: a routable capability (notify, send_sms, ...);
    /// each run sends to the integration the routing rules pick then.
    /// </summary>
    public string? Capability { get; set; }

    /// <summary>For destinations: what the destination's kind (or, for a capability, the kinds offering it) understands (topic, path_suffix, headers, subject, text).</summary>
    public Dictionary<string, string> Parameters { get; set; } = [];

    /// <summary>Where the editor draws the node.</summary>
    public double X { get; set; }

    public double Y { get; set; }
}

public sealed record FlowEdge(string From, string To);
