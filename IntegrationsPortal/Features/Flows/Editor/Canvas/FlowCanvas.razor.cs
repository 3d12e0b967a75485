using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using Blazor.Diagrams.Core.PathGenerators;
using Blazor.Diagrams.Core.Routers;
using Blazor.Diagrams.Options;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace IntegrationsPortal.Features.Flows.Editor.Canvas;

/// <summary>
/// The flow as a Z.Blazor.Diagrams canvas. <see cref="FlowEditorModel"/> stays the single source of
/// truth: every render mirrors its nodes, edges and selection onto the diagram, and every gesture on
/// the diagram (drop, connect, move, select, delete) becomes a call to the model, which the next
/// render mirrors back. So the canvas and the side panel cannot disagree, and the model's rules
/// decide which links are allowed.
/// </summary>
public partial class FlowCanvas : IDisposable
{
    private readonly BlazorDiagram diagram;
    // True while the canvas mirrors the model: the diagram's own events then are not the operator's edits.
    private bool mirroring;
    private string? refusal;
    // The model's selection as last mirrored: the canvas follows changes to it, and otherwise leaves
    // the diagram's own selection (a clicked link, an empty click) alone.
    private string? mirroredSelection;

    public FlowCanvas()
    {
        var options = new BlazorDiagramOptions { AllowMultiSelection = false };
        options.Links.DefaultRouter = new NormalRouter();
        options.Links.DefaultPathGenerator = new SmoothPathGenerator();
        options.Links.RequireTarget = true;
        // Dropping a link on a node's body attaches it to that node's matching port.
        options.Links.TargetAnchorFactory = (_, link, target) => target switch
        {
            FlowNodeModel node when link.Source.Model is FlowPortModel from && node.PortFacing(from) is { } port => new SinglePortAnchor(port),
            PortModel port => new SinglePortAnchor(port),
            NodeModel node => new ShapeIntersectionAnchor(node),
            _ => throw new ArgumentOutOfRangeException(nameof(target)),
        };
        options.Zoom.Minimum = 0.25;
        options.Zoom.Maximum = 2.5;
        diagram = new BlazorDiagram(options);
        diagram.RegisterComponent<FlowNodeModel, FlowNodeWidget>();
        diagram.Nodes.Removed += OnNodeRemoved;
        diagram.Links.Added += OnLinkAdded;
        diagram.Links.Removed += OnLinkRemoved;
        diagram.SelectionChanged += OnSelectionChanged;
    }

    [Parameter, EditorRequired]
    public required FlowEditorModel Model { get; set; }

    [Parameter, EditorRequired]
    public required FlowEditorChoices Choices { get; set; }

    [Parameter, EditorRequired]
    public required FlowPaletteDrag Drag { get; set; }

    [Parameter]
    public IReadOnlyList<FlowProblem> Problems { get; set; } = [];

    [Parameter]
    public IReadOnlyList<FlowProblem> Warnings { get; set; } = [];

    /// <summary>A node was selected on the canvas: the page shows it in the side panel.</summary>
    [Parameter]
    public EventCallback<string> OnSelect { get; set; }

    private bool HasSelection => diagram.GetSelectedModels().Any();

    private FlowEditorModel? followed;

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(followed, Model))
        {
            // Edits made here (a drop, a link) or elsewhere redraw at once, whoever re-renders this component.
            followed?.Changed -= OnModelChanged;
            Model.Changed += OnModelChanged;
            followed = Model;
        }

        Mirror();
    }

    private void OnModelChanged()
    {
        Mirror();
        StateHasChanged();
    }

    /// <summary>Makes the diagram show the model: nodes, their look and place, links for edges, the selection.</summary>
    private void Mirror()
    {
        mirroring = true;
        try
        {
            diagram.Batch(() =>
            {
                var shown = diagram.Nodes.OfType<FlowNodeModel>().ToDictionary(n => n.Id);
                foreach (var gone in shown.Values.Where(n => Model.Graph.Node(n.Id) is null).ToList())
                {
                    diagram.Nodes.Remove(gone);
                    shown.Remove(gone.Id);
                }

                foreach (var node in Model.Graph.Nodes)
                {
                    if (!shown.TryGetValue(node.Id, out var drawn) || drawn.Kind != node.Kind)
                    {
                        drawn = diagram.Nodes.Add(new FlowNodeModel(node));
                        foreach (var port in drawn.Ports.OfType<FlowPortModel>())
                        {
                            port.Allows = Allows;
                        }

                        drawn.Moved += OnNodeMoved;
                        shown[node.Id] = drawn;
                    }
                    else if (drawn.Position.X != node.X || drawn.Position.Y != node.Y)
                    {
                        drawn.SetPosition(node.X, node.Y);
                    }

                    var look = LookOf(node);
                    if (look != drawn.Look)
                    {
                        drawn.Look = look;
                        drawn.Refresh();
                    }
                }

                var edges = Model.Graph.Edges.ToHashSet();
                var linked = new HashSet<FlowEdge>();
                foreach (var link in diagram.Links.ToList())
                {
                    if (EdgeOf(link) is { } edge && edges.Contains(edge) && linked.Add(edge))
                    {
                        continue;
                    }

                    diagram.Links.Remove(link);
                }

                foreach (var edge in edges.Except(linked))
                {
                    if (shown.GetValueOrDefault(edge.From)?.Output is { } from && shown.GetValueOrDefault(edge.To)?.Input is { } to)
                    {
                        diagram.Links.Add(new LinkModel($"{edge.From}->{edge.To}", from, to) { TargetMarker = LinkMarker.Arrow });
                    }
                }

                if (mirroredSelection == Model.SelectedId)
                {
                    return;
                }

                mirroredSelection = Model.SelectedId;
                foreach (var node in shown.Values)
                {
                    if (node.Selected != (node.Id == Model.SelectedId))
                    {
                        if (node.Selected)
                        {
                            diagram.UnselectModel(node);
                        }
                        else
                        {
                            diagram.SelectModel(node, unselectOthers: true);
                        }
                    }
                }
            });
        }
        finally
        {
            mirroring = false;
        }
    }

    private FlowNodeLook LookOf(FlowNode node)
    {
        var icon = node.Kind switch
        {
            FlowNodeKind.Source => Icons.Material.Filled.Sensors,
            FlowNodeKind.Function => Icons.Material.Filled.Functions,
            _ => Choices.DestinationOf(node) is { } destination ? MaterialIcons.ByName(destination.Icon) : Icons.Material.Filled.Send,
        };
        var caption = node.Kind switch
        {
            FlowNodeKind.Source => FlowEditorText.SourceKind(node.Source ?? FlowSourceKind.Device),
            FlowNodeKind.Destination when node.Capability is not null => Choices.DestinationOf(node)?.Detail ?? "capability",
            FlowNodeKind.Destination when Choices.Destination(node.IntegrationId) is { } integration => $"{integration.Detail} · {IntegrationLifecycleLabel(integration)}",
            _ => FlowEditorText.NodeKind(node.Kind),
        };
        return new FlowNodeLook(Choices.Title(node), caption, icon,
            Problems.FirstOrDefault(p => p.NodeId == node.Id)?.Message,
            Warnings.FirstOrDefault(p => p.NodeId == node.Id)?.Message);
    }

    private static string IntegrationLifecycleLabel(FlowChoice integration) =>
        integration.Status is { } status ? IntegrationLifecycle.Label(status) : "";

    private static FlowEdge? EdgeOf(BaseLinkModel link) =>
        link is { Source.Model: FlowPortModel { IsInput: false } from, Target.Model: FlowPortModel { IsInput: true } to }
            ? new FlowEdge(from.Node.Id, to.Node.Id)
            : null;

    /// <summary>The model's rule for a link dragged from <paramref name="start"/> to <paramref name="end"/>, in either direction.</summary>
    private bool Allows(FlowPortModel start, FlowPortModel end)
    {
        var (from, to) = start.IsInput ? (end, start) : (start, end);
        if (Model.Graph.Node(from.Node.Id) is not { } source || Model.Graph.Node(to.Node.Id) is not { } target)
        {
            return false;
        }

        refusal = Model.WhyNotConnect(source, target);
        if (refusal is not null)
        {
            // Asked from a port's event, which redraws only the port: the note below the canvas needs this.
            _ = InvokeAsync(StateHasChanged);
        }

        return refusal is null;
    }

    private void OnLinkAdded(BaseLinkModel link)
    {
        if (!mirroring)
        {
            link.TargetAttached += OnLinkAttached;
        }
    }

    /// <summary>A link the operator drew reached a port: the model gets the edge, and the next render draws it as the model says.</summary>
    private void OnLinkAttached(BaseLinkModel link)
    {
        link.TargetAttached -= OnLinkAttached;
        if (link is not { Source.Model: FlowPortModel start, Target.Model: FlowPortModel end })
        {
            return;
        }

        var (from, to) = start.IsInput ? (end, start) : (start, end);
        mirroring = true;
        try
        {
            // The drawn link is replaced by the model's own (it may have been drawn input to output).
            diagram.Links.Remove(link);
        }
        finally
        {
            mirroring = false;
        }

        refusal = null;
        Model.Connect(from.Node.Id, to.Node.Id);
    }

    private void OnLinkRemoved(BaseLinkModel link)
    {
        link.TargetAttached -= OnLinkAttached;
        if (!mirroring && EdgeOf(link) is { } edge)
        {
            Model.Disconnect(edge);
        }
    }

    private void OnNodeRemoved(NodeModel node)
    {
        node.Moved -= OnNodeMoved;
        if (!mirroring)
        {
            Model.Delete(node.Id);
        }
    }

    private void OnNodeMoved(MovableModel node) => Model.Move(node.Id, node.Position.X, node.Position.Y);

    private void OnSelectionChanged(SelectableModel selected)
    {
        if (mirroring)
        {
            return;
        }

        // The toolbar's Delete follows what is selected, a link too.
        _ = InvokeAsync(StateHasChanged);
        if (selected is FlowNodeModel { Selected: true } node && node.Id != Model.SelectedId)
        {
            refusal = null;
            mirroredSelection = node.Id;
            _ = OnSelect.InvokeAsync(node.Id);
        }
    }

    /// <summary>A palette item dropped on the canvas becomes a node where it was dropped.</summary>
    private void Drop(DragEventArgs e)
    {
        if (Drag.Item is not { } item || diagram.Container is null)
        {
            return;
        }

        Drag.Item = null;
        var point = diagram.GetRelativeMousePoint(e.ClientX, e.ClientY);
        // The pointer holds the node near its top left corner, as the palette item was held.
        Model.Add(item, point.X - 20, point.Y - 20);
    }

    private void ZoomBy(double factor) => diagram.SetZoom(Math.Clamp(diagram.Zoom * factor, diagram.Options.Zoom.Minimum, diagram.Options.Zoom.Maximum));

    private void Fit() => diagram.ZoomToFit(40);

    private void AutoLayout()
    {
        Model.AutoLayout();
        diagram.SetPan(0, 0);
    }

    private void DeleteSelected()
    {
        foreach (var selected in diagram.GetSelectedModels().ToList())
        {
            switch (selected)
            {
                case FlowNodeModel node:
                    Model.Delete(node.Id);
                    break;
                case BaseLinkModel link when EdgeOf(link) is { } edge:
                    Model.Disconnect(edge);
                    break;
            }
        }
    }

    public void Dispose()
    {
        followed?.Changed -= OnModelChanged;
        diagram.Nodes.Removed -= OnNodeRemoved;
        diagram.Links.Added -= OnLinkAdded;
        diagram.Links.Removed -= OnLinkRemoved;
        diagram.SelectionChanged -= OnSelectionChanged;
    }
}
