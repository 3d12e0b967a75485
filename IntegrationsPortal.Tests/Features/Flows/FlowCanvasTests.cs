using Bunit;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Flows.Editor;
using IntegrationsPortal.Features.Flows.Editor.Canvas;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Components;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>
/// The editor's canvas and palette in bunit over a <see cref="FlowEditorModel"/>: the canvas draws what
/// the model holds (and follows its edits), a drop or a palette pick adds a node naming the item, and
/// the model's connection rule gives the canvas words for a refused link.
/// </summary>
public sealed class FlowCanvasTests : ComponentTest
{
    private static readonly Guid Hook = Guid.NewGuid();
    private static readonly Guid Device = Guid.NewGuid();

    private static readonly FlowEditorChoices Choices = new(
        [new FlowChoice(Device.ToString(), "Hall meter", "meter in Hall", "sensors")], [], [], [],
        [new FlowChoice(Hook.ToString(), "Primary hook", "Webhook", "webhook", IntegrationStatus.Active, "webhook"),
         new FlowChoice(Guid.NewGuid().ToString(), "Backup hook", "Webhook", "webhook", IntegrationStatus.PendingVerify, "webhook")],
        [new FlowChoice("notify", "notify", "routes to Primary hook", FlowEditorChoices.CapabilityIcon, IntegrationStatus.Active, "webhook"),
         new FlowChoice("send_sms", "send_sms", "no active route", FlowEditorChoices.CapabilityIcon)]);

    private readonly FlowPaletteDrag _drag = new();

    [Fact]
    public async Task Canvas_DrawsTheModelsNodesAndEdges_AndFollowsItsEdits()
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        model.Add(new FlowPaletteItem(FlowNodeKind.Source, FlowSourceKind.Device, Device.ToString()));
        model.Add(FlowNodeKind.Function);
        model.Add(new FlowPaletteItem(FlowNodeKind.Destination, Reference: Hook.ToString()));
        model.Connect("source-1", "function-1");
        model.Connect("function-1", "destination-1");

        var canvas = RenderCanvas(model);

        Assert.Contains("Hall meter", canvas.Find("[data-testid=canvas-node-source-1]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Primary hook", canvas.Find("[data-testid=canvas-node-destination-1]").TextContent, StringComparison.Ordinal);
        // A source only sends, a destination only receives.
        Assert.Empty(canvas.FindAll("[data-port-id=source-1-in]"));
        Assert.Single(canvas.FindAll("[data-port-id=source-1-out]"));
        Assert.Empty(canvas.FindAll("[data-port-id=destination-1-out]"));
        Assert.Equal(["source-1->function-1", "function-1->destination-1"], canvas.FindAll("[data-link-id]").Select(l => l.GetAttribute("data-link-id")));

        // Edits come on the circuit's dispatcher, as the side panel's do.
        await canvas.InvokeAsync(() =>
        {
            model.Disconnect(new FlowEdge("function-1", "destination-1"));
            model.Delete("source-1");
        });

        canvas.WaitForAssertion(() => Assert.Empty(canvas.FindAll("[data-link-id]")));
        Assert.Empty(canvas.FindAll("[data-testid=canvas-node-source-1]"));
        Assert.Single(canvas.FindAll("[data-testid=canvas-node-function-1]"));
    }

    [Fact]
    public void Drop_OfAPaletteItem_AddsItsNodeWhereItWasDropped()
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        var canvas = RenderCanvas(model);
        _drag.Item = new FlowPaletteItem(FlowNodeKind.Destination, Reference: Hook.ToString());

        canvas.Find("[data-testid=flow-canvas]").TriggerEvent("ondrop", new Microsoft.AspNetCore.Components.Web.DragEventArgs { ClientX = 300, ClientY = 200 });

        var node = Assert.Single(model.Graph.Nodes);
        Assert.Equal((FlowNodeKind.Destination, Hook), (node.Kind, node.IntegrationId!.Value));
        // The canvas's container is at (0, 0) here: the node sits just up and left of the pointer.
        Assert.Equal((280d, 180d), (node.X, node.Y));
        Assert.Null(_drag.Item);
        canvas.WaitForAssertion(() => Assert.Single(canvas.FindAll("[data-testid=canvas-node-destination-1]")));
    }

    [Fact]
    public void Palette_PickedByClickOrEnter_AddsANodeNamingTheItem_AndSearchNarrowsIt()
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        var palette = Render<FlowPalette>(p => p.Add(c => c.Model, model).Add(c => c.Choices, Choices).Add(c => c.Drag, _drag));

        Assert.Contains("Pending", palette.Find("[data-testid='palette-integration-Backup hook']").TextContent, StringComparison.OrdinalIgnoreCase);
        palette.Find("[data-testid='palette-integration-Primary hook']").Click();
        palette.Find("[data-testid='palette-source-Hall meter']").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });

        Assert.Equal([(FlowNodeKind.Destination, (Guid?)Hook, (string?)null), (FlowNodeKind.Source, null, Device.ToString())],
            model.Graph.Nodes.Select(n => (n.Kind, n.IntegrationId, n.SourceRef)));

        palette.Find("[data-testid=palette-search]").Input("backup");

        Assert.Single(palette.FindAll("[data-testid^=palette-integration-]"));
        Assert.Empty(palette.FindAll("[data-testid=palette-function]"));
    }

    [Fact]
    public void Palette_CapabilitiesGroup_ListsTheRoutableOnesWithTheirRoute_AndAddsACapabilityDestination()
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        var palette = Render<FlowPalette>(p => p.Add(c => c.Model, model).Add(c => c.Choices, Choices).Add(c => c.Drag, _drag));

        var group = palette.Find("[role=group][aria-label=Capabilities]");
        Assert.Contains("routes to Primary hook", group.QuerySelector("[data-testid=palette-capability-notify]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("no active route", group.QuerySelector("[data-testid=palette-capability-send_sms]")!.TextContent, StringComparison.Ordinal);

        palette.Find("[data-testid=palette-capability-notify]").Click();

        var node = Assert.Single(model.Graph.Nodes);
        Assert.Equal((FlowNodeKind.Destination, "notify", (Guid?)null), (node.Kind, node.Capability, node.IntegrationId));
    }

    [Fact]
    public void Drop_OfACapability_AddsACapabilityDestination_TheCanvasNamesWithItsRoute()
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        var canvas = RenderCanvas(model);
        _drag.Item = new FlowPaletteItem(FlowNodeKind.Destination, Capability: "notify");

        canvas.Find("[data-testid=flow-canvas]").TriggerEvent("ondrop", new Microsoft.AspNetCore.Components.Web.DragEventArgs { ClientX = 300, ClientY = 200 });

        Assert.Equal("notify", Assert.Single(model.Graph.Nodes).Capability);
        canvas.WaitForAssertion(() => Assert.Contains("routes to Primary hook", canvas.Find("[data-testid=canvas-node-destination-1]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void SidePanel_OfACapability_ShowsItsRoute_AndTheParametersOfEveryTypeOfferingIt_CheckedByTheirRules()
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        var node = model.Add(new FlowPaletteItem(FlowNodeKind.Destination, Capability: "notify"));
        var panel = Render<FlowNodePanel>(p => p.Add(c => c.Model, model).Add(c => c.Node, node).Add(c => c.Choices, Choices).Add(c => c.FlowId, Guid.NewGuid()));

        Assert.Contains("routes to Primary hook", panel.Find("[data-testid=capability-route]").TextContent, StringComparison.Ordinal);
        // notify is offered by webhooks and HTTP (path suffix, headers) and by MQTT (topic).
        Assert.Equal(["param-path_suffix", "param-headers", "param-topic"], panel.FindAll("[data-testid^=param-]").Select(e => e.GetAttribute("data-testid")));

        panel.Find("[data-testid=param-path_suffix]").Input("meters");

        Assert.Equal("meters", node.Parameters["path_suffix"]);
        panel.WaitForAssertion(() => Assert.Contains("Start the path suffix with /.", panel.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void SidePanel_OfACapabilityWithNoRoute_WarnsItReceivesNothing()
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        var node = model.Add(new FlowPaletteItem(FlowNodeKind.Destination, Capability: "send_sms"));
        var panel = Render<FlowNodePanel>(p => p.Add(c => c.Model, model).Add(c => c.Node, node).Add(c => c.Choices, Choices).Add(c => c.FlowId, Guid.NewGuid()));

        Assert.Contains("No active route for send_sms", panel.Find("[data-testid=capability-route]").TextContent, StringComparison.Ordinal);
        Assert.Equal(["param-text"], panel.FindAll("[data-testid^=param-]").Select(e => e.GetAttribute("data-testid")));
    }

    [Theory]
    [InlineData("destination-1", "function-1", "A destination sends nothing on")]
    [InlineData("function-1", "source-1", "A source takes nothing in")]
    [InlineData("source-1", "function-1", "connected already")]
    [InlineData("function-2", "function-1", "would make a loop")]
    public void WhyNotConnect_NamesTheRuleARefusedLinkBreaks(string from, string to, string words)
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        model.Add(FlowNodeKind.Source);
        model.Add(FlowNodeKind.Function);
        model.Add(FlowNodeKind.Function);
        model.Add(FlowNodeKind.Destination);
        model.Connect("source-1", "function-1");
        model.Connect("function-1", "function-2");

        Assert.Contains(words, model.WhyNotConnect(model.Graph.Node(from)!, model.Graph.Node(to)!), StringComparison.Ordinal);
        Assert.False(model.Connect(from, to));
    }

    [Fact]
    public void Move_KeepsThePositionWithTheDraft_AndOldDraftsWithoutPositionsStillLoad()
    {
        var model = new FlowEditorModel("Meters", new FlowGraph());
        model.Add(FlowNodeKind.Function);
        var changes = 0;
        model.Changed += () => changes++;

        model.Move("function-1", 412.4, 96.6);

        var saved = FlowGraph.FromJson(model.Graph.ToJson()).Node("function-1")!;
        Assert.Equal((412d, 97d, 1), (saved.X, saved.Y, changes));
        var old = FlowGraph.FromJson("""{"nodes":[{"id":"function-1","kind":"function","code":"x"}],"edges":[]}""").Node("function-1")!;
        Assert.Equal((0d, 0d), (old.X, old.Y));
    }

    private IRenderedComponent<FlowCanvas> RenderCanvas(FlowEditorModel model) =>
        Render<FlowCanvas>(p => p.Add(c => c.Model, model).Add(c => c.Choices, Choices).Add(c => c.Drag, _drag));
}
