using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;

namespace IntegrationsPortal.Features.Flows.Editor.Canvas;

/// <summary>
/// A flow node as the canvas draws it. It only mirrors <see cref="FlowNode"/> (same id); what it
/// shows is set by <see cref="FlowCanvas"/> from the editor model, which stays the source of truth.
/// </summary>
public sealed class FlowNodeModel : NodeModel
{
    public FlowNodeModel(FlowNode node) : base(node.Id, new Point(node.X, node.Y))
    {
        Kind = node.Kind;
        // Messages enter on the left and leave on the right: sources have no input, destinations no output.
        Input = node.Kind == FlowNodeKind.Source ? null : (FlowPortModel)AddPort(new FlowPortModel(this, isInput: true));
        Output = node.Kind == FlowNodeKind.Destination ? null : (FlowPortModel)AddPort(new FlowPortModel(this, isInput: false));
    }

    public FlowNodeKind Kind { get; }

    public FlowPortModel? Input { get; }

    public FlowPortModel? Output { get; }

    public FlowNodeLook Look { get; set; } = new("", "", "", null, null);

    /// <summary>The port a link from (or to) <paramref name="other"/> would attach to on this node.</summary>
    public FlowPortModel? PortFacing(FlowPortModel other) => other.IsInput ? Output : Input;
}

/// <summary>What a canvas node shows; a record, so the canvas redraws a node only when this changes.</summary>
public sealed record FlowNodeLook(string Title, string Caption, string Icon, string? Problem, string? Warning);

/// <summary>An input (left) or output (right) port. Whether a link may attach is the editor model's rule, asked through <see cref="Allows"/>.</summary>
public sealed class FlowPortModel(FlowNodeModel parent, bool isInput)
    : PortModel($"{parent.Id}-{(isInput ? "in" : "out")}", parent, isInput ? PortAlignment.Left : PortAlignment.Right)
{
    public bool IsInput { get; } = isInput;

    public FlowNodeModel Node => (FlowNodeModel)Parent;

    /// <summary>Set by the canvas: may a link join these two ports (the first one where the drag began)?</summary>
    public Func<FlowPortModel, FlowPortModel, bool> Allows { get; set; } = (_, _) => true;

    public override bool CanAttachTo(ILinkable other)
    {
        // Dropping on a node's body means its matching port.
        var port = other switch
        {
            FlowPortModel p => p,
            FlowNodeModel n => n.PortFacing(this),
            _ => null,
        };
        return port is not null && port.IsInput != IsInput && port.Parent != Parent && Allows(this, port);
    }
}
