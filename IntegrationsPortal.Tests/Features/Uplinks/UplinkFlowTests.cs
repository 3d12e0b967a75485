using System.Net;
using System.Text.Json;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Features.Flows;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Uplinks;

/// <summary>Uplinks posted to the real endpoint run the deployed flows of their device or their integration, with the uplink as sent as input.</summary>
public class UplinkFlowTests(UplinkPortalFixture portal) : IClassFixture<UplinkPortalFixture>
{
    private const string Code = "function transform(m, context) { return { t: m.uplink_message.decoded_payload.temperature, device: context.device.name }; }";

    [Fact]
    public async Task FlowOnTheDevice_RunsOnEachUplink_WithTheWholeUplinkAsInput()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("tts-uplinks");
        var device = await portal.DeviceAsync("Boiler sensor");
        await portal.MapAsync(id, UplinkSamples.Eui, device.MappingPath);
        var flow = await DeployAsync(FlowTestBed.MeterThroughFunction(device.DeviceId, Code, await DestinationAsync()));

        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, token, UplinkSamples.ThingsStack(UplinkSamples.Eui, 11))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, token, UplinkSamples.ThingsStack(UplinkSamples.Eui, 12))).StatusCode);
        // A network's retry of the same frame is stored once, so it runs the flow once.
        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, token, UplinkSamples.ThingsStack(UplinkSamples.Eui, 12))).StatusCode);

        var runs = await RunsAsync(flow, 2);
        Assert.Equal(2, runs.Count);
        var run = await portal.QueryAsync(s => s.GetRequiredService<FlowService>().GetRunAsync(runs[0].Id));
        using var input = JsonDocument.Parse(run.Input);
        Assert.Equal(UplinkSamples.Eui, input.RootElement.GetProperty("end_device_ids").GetProperty("dev_eui").GetString());
        Assert.Equal("""[{"t":21.5,"device":"Boiler sensor"}]""", run.Steps.Single(s => s.Kind == FlowStepKind.Function).Output);
        Assert.Equal(device.ResourcePath, runs[0].ResourcePath);
    }

    [Fact]
    public async Task FlowOnTheUplinkIntegration_RunsForItsMappedDevices()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("tts-uplinks");
        var device = await portal.DeviceAsync("Cellar sensor");
        await portal.MapAsync(id, UplinkSamples.Eui, device.MappingPath);
        var graph = FlowTestBed.MeterThroughFunction(Guid.Empty, Code, await DestinationAsync());
        var source = graph.Nodes.Single(n => n.Kind == FlowNodeKind.Source);
        (source.Source, source.SourceRef) = (FlowSourceKind.Integration, id.ToString());
        var flow = await DeployAsync(graph);

        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, token, UplinkSamples.ThingsStack(UplinkSamples.Eui, 5))).StatusCode);

        var run = Assert.Single(await RunsAsync(flow, 1));
        Assert.Null(run.Error);
        Assert.Equal(device.ResourcePath, run.ResourcePath);
    }

    /// <summary>A webhook destination that never becomes active: the run is recorded with its steps, nothing is sent out.</summary>
    private async Task<Guid> DestinationAsync() =>
        await portal.App.Services.CreateIntegrationAsync(portal.Acme, new CreateIntegrationInput
        {
            TypeKey = "webhook",
            Name = $"Out {Guid.NewGuid():N}",
            Properties = new() { ["url"] = "https://hooks.example.test/in", ["auth"] = "NONE" },
        });

    private Task<Guid> DeployAsync(FlowGraph graph) => portal.QueryAsync(async s =>
    {
        var flows = s.GetRequiredService<FlowService>();
        var flow = await flows.CreateAsync($"Uplinks {Guid.NewGuid():N}");
        await flows.SaveDraftAsync(flow, graph);
        await flows.DeployAsync(flow);
        return flow;
    });

    /// <summary>The flow's runs once there are <paramref name="expected"/> (flows run after the 202, off the endpoint's path), 20 s at most.</summary>
    private Task<IReadOnlyList<FlowRunRow>> RunsAsync(Guid flow, int expected) => Eventually.ReadAsync(
        async () => (await portal.QueryAsync(s => s.GetRequiredService<FlowService>().HistoryAsync(new FlowHistoryQuery { FlowId = flow }))).Items,
        runs => runs.Count >= expected, $"{expected} run(s) of the flow");
}

/// <summary>Uplinks feeding flows on PostgreSQL (issue 16).</summary>
[OnPostgreSQL]
public sealed class UplinkFlowOnPostgreSQLTests(UplinkPortalFixture portal) : UplinkFlowTests(portal);
