using System.Text.Json;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Flows.Destinations;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>The pure parts of flows: the lifecycle table, the graph's shape rules, templates and destination parameters.</summary>
public sealed class FlowModelTests
{
    [Theory]
    [InlineData(FlowState.Draft, FlowEvent.Deploy, FlowState.Deployed)]
    [InlineData(FlowState.Deployed, FlowEvent.Deploy, FlowState.Deployed)]
    [InlineData(FlowState.Disabled, FlowEvent.Deploy, FlowState.Disabled)]
    [InlineData(FlowState.Deployed, FlowEvent.Disable, FlowState.Disabled)]
    [InlineData(FlowState.Disabled, FlowEvent.Enable, FlowState.Deployed)]
    [InlineData(FlowState.Deployed, FlowEvent.SaveDraft, FlowState.Deployed)]
    public void Lifecycle_AllowedMoves(FlowState from, FlowEvent happening, FlowState to) =>
        Assert.Equal(to, FlowLifecycle.Next(from, happening));

    [Theory]
    [InlineData(FlowState.Draft, FlowEvent.Disable, "deploy the flow first")]
    [InlineData(FlowState.Draft, FlowEvent.Enable, "deploy the flow first")]
    [InlineData(FlowState.Deployed, FlowEvent.Enable, "already enabled")]
    [InlineData(FlowState.Disabled, FlowEvent.Disable, "already disabled")]
    public void Lifecycle_RefusesWithWordsToActOn(FlowState from, FlowEvent happening, string words)
    {
        var refusal = Assert.Throws<PortalException>(() => FlowLifecycle.Next(from, happening));
        Assert.Equal(PortalErrorKind.Conflict, refusal.Kind);
        Assert.Contains(words, refusal.Message, StringComparison.Ordinal);
        Assert.False(FlowLifecycle.Allows(from, happening));
    }

    [Fact]
    public void Shape_EmptyGraph_AsksForASourceAndADestination()
    {
        var errors = FlowValidator.Shape(new FlowGraph());

        Assert.Contains(errors, e => e.Message.StartsWith("Add a source", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.StartsWith("Add a destination", StringComparison.Ordinal));
    }

    [Fact]
    public void Shape_UnconnectedFunction_IsNamedOnItsNode()
    {
        var graph = Chain();
        graph.Nodes.Add(new FlowNode { Id = "function-2", Kind = FlowNodeKind.Function, Label = "Stray" });

        var error = Assert.Single(FlowValidator.Shape(graph));
        Assert.Equal("function-2", error.NodeId);
        Assert.Equal("'Stray' gets no messages: connect a source or a function to it.", error.Message);
    }

    [Fact]
    public void Shape_Cycle_IsRefused()
    {
        var graph = Chain();
        graph.Nodes.Add(new FlowNode { Id = "function-2", Kind = FlowNodeKind.Function });
        graph.Edges.Add(new FlowEdge("function-1", "function-2"));
        graph.Edges.Add(new FlowEdge("function-2", "function-1"));

        Assert.Contains(FlowValidator.Shape(graph), e => e.Message.Contains("is in a loop", StringComparison.Ordinal));
    }

    [Fact]
    public void Shape_EdgeIntoASourceOrOutOfADestination_IsRefused()
    {
        var graph = Chain();
        graph.Edges.Add(new FlowEdge("destination-1", "source-1"));

        Assert.Contains(FlowValidator.Shape(graph), e => e.Message.Contains("connections go from sources to functions to destinations", StringComparison.Ordinal));
    }

    [Fact]
    public void Shape_SourceFunctionDestination_IsValid() => Assert.Empty(FlowValidator.Shape(Chain()));

    [Fact]
    public void Graph_RoundTripsThroughJson()
    {
        var graph = Chain();
        graph.RunOnBackfills = true;
        graph.Nodes[2].Parameters["topic"] = "a/{{b}}";

        var again = FlowGraph.FromJson(graph.ToJson());

        Assert.Equal(graph.ToJson(), again.ToJson());
        Assert.Equal(FlowSourceKind.Device, again.Nodes[0].Source);
    }

    [Theory]
    [InlineData("sites/{{placeName}}/{{metric}}", "sites/Hall 1/kwh")]
    [InlineData("{{device.name}} at {{ value }}", "Main at 1.5")]
    [InlineData("{{missing}}x", "x")]
    [InlineData("{{tags.1}}", "b")]
    public void Template_RendersFields(string template, string expected)
    {
        using var message = JsonDocument.Parse("""{"placeName":"Hall 1","metric":"kwh","value":1.5,"device":{"name":"Main"},"tags":["a","b"]}""");

        Assert.Equal(expected, FlowTemplate.Render(template, message.RootElement));
    }

    [Theory]
    [InlineData("{{unclosed")]
    [InlineData("{{}}")]
    [InlineData("a }} b")]
    public void Template_Malformed_IsAProblem(string template) => Assert.NotNull(FlowTemplate.Problem(template));

    [Fact]
    public void DestinationParameters_AreCheckedByTheirKind()
    {
        Assert.Contains("wildcards", DestinationKinds.For("mqtt").Validate(Map("topic", "a/#"))["topic"], StringComparison.Ordinal);
        Assert.Contains("Start the path suffix with /", DestinationKinds.For("http").Validate(Map("path_suffix", "meters"))["path_suffix"], StringComparison.Ordinal);
        Assert.Contains("credentials", DestinationKinds.For("webhook").Validate(Map("headers", "Authorization: Bearer x"))["headers"], StringComparison.Ordinal);
        Assert.Contains("one line", DestinationKinds.For("email").Validate(Map("subject", "a\nb"))["subject"], StringComparison.Ordinal);
        Assert.Contains("does not take 'topic'", DestinationKinds.For("sms").Validate(Map("topic", "x"))["topic"], StringComparison.Ordinal);
        Assert.Empty(DestinationKinds.For("http").Validate(Map("headers", "X-Site: {{placeName}}\nX-Flow: meters")));
    }

    [Fact]
    public void DestinationRender_ShapesEachKindsPayload()
    {
        using var message = JsonDocument.Parse("""{"deviceName":"Main","value":2,"unit":"kWh","deviceId":"d1"}""");
        var element = message.RootElement;

        var email = DestinationKinds.For("email").Render(element, Map("subject", "{{deviceName}} reads {{value}}"));
        var sms = DestinationKinds.For("sms").Render(element, Map("text", "{{deviceName}}: {{value}} {{unit}}"));
        var mqtt = DestinationKinds.For("mqtt").Render(element, Map("topic", "meters/{{deviceId}}"));
        var http = DestinationKinds.For("http").Render(element, Map("path_suffix", "/m/{{deviceId}}", "headers", "X-Unit: {{unit}}"));

        Assert.Equal("Main reads 2", JsonDocument.Parse(email.Payload).RootElement.GetProperty("subject").GetString());
        Assert.Equal("""{"text":"Main: 2 kWh"}""", sms.Payload);
        Assert.Equal(element.GetRawText(), mqtt.Payload);
        Assert.Equal("meters/d1", mqtt.Parameters["topic"]);
        Assert.Equal("/m/d1", http.Parameters["path_suffix"]);
        Assert.Equal("""{"X-Unit":"kWh"}""", http.Parameters["headers"]);
    }

    private static Dictionary<string, string> Map(params string[] pairs) =>
        pairs.Chunk(2).ToDictionary(p => p[0], p => p[1]);

    private static FlowGraph Chain() => new()
    {
        Nodes =
        [
            new FlowNode { Id = "source-1", Kind = FlowNodeKind.Source, Source = FlowSourceKind.Device, SourceRef = Guid.NewGuid().ToString() },
            new FlowNode { Id = "function-1", Kind = FlowNodeKind.Function, Code = "function transform(m) { return m; }" },
            new FlowNode { Id = "destination-1", Kind = FlowNodeKind.Destination, IntegrationId = Guid.NewGuid() },
        ],
        Edges = [new FlowEdge("source-1", "function-1"), new FlowEdge("function-1", "destination-1")],
    };
}
