using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Flows.Editor;
using IntegrationsPortal.Tests.Components;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>The editor's debug view in bunit, fed by the real runner: it follows runs as they are recorded.</summary>
public sealed class FlowDebugPanelTests : WorldComponentTest<FlowTestBed>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private AsyncServiceScope _scope;
    private LoopbackReceiver _receiver = default!;

    protected override async Task<FlowTestBed> StartAsync()
    {
        var bed = await FlowTestBed.StartAsync();
        _receiver = await LoopbackReceiver.StartAsync();
        SignIn(PortalRoles.Viewer);
        _scope = bed.Services.AsUser(bed.Harness.Tenant.OrganizationId, bed.Harness.Tenant.AdminUserId, bed.Harness.Tenant.AdminEmail, PortalRoles.Viewer);
        Use(_scope.ServiceProvider, typeof(FlowService), typeof(FlowEvents));
        return bed;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await _scope.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task FunctionNode_ShowsEachRunsInputOutputAndLogs_AsTheRunIsRecorded()
    {
        var hook = await World.ActiveWebhookAsync(_receiver, "Primary");
        var graph = FlowTestBed.MeterThroughFunction(World.Meter, FlowTestBed.Double, hook);
        var flow = await World.DeployAsync(graph);
        var panel = Render<FlowDebugPanel>(p => p.Add(x => x.FlowId, flow).Add(x => x.Node, graph.Node("function-1")));
        panel.WaitForElement("[data-testid=debug-empty]");

        await World.ArriveAsync([World.Reading(1.5)], ct: Xunit.TestContext.Current.CancellationToken);

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=debug-step]")), Patience);
        Assert.Contains("\"value\":1.5", panel.Find("[data-testid=debug-input]").TextContent, StringComparison.Ordinal);
        Assert.Equal("""[{"device":"Main meter","wh":1500,"flow":"Meters out"}]""", panel.Find("[data-testid=debug-output]").TextContent.Trim());
        Assert.Equal("kwh 1.5", panel.Find("[data-testid=debug-logs]").TextContent.Trim());
        Assert.Contains("To watt-hours (function-1)", panel.Markup, StringComparison.Ordinal);

        World.Harness.Clock.Advance(TimeSpan.FromMinutes(15));
        await World.ArriveAsync([World.Reading(2)], ct: Xunit.TestContext.Current.CancellationToken);

        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("[data-testid=debug-step]").Count), Patience);
        Assert.Contains("\"wh\":2000", panel.FindAll("[data-testid=debug-output]")[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DestinationNode_ShowsItsMessageAndDeliveryStatus_AndASourceShowsTheInputAndAFailure()
    {
        var hook = await World.ActiveWebhookAsync(_receiver, "Primary");
        var graph = FlowTestBed.MeterThroughFunction(World.Meter, "function transform(m) {\n  if (m.value > 5) throw new Error('too high');\n  return { v: m.value };\n}", hook);
        var flow = await World.DeployAsync(graph);
        var destination = Render<FlowDebugPanel>(p => p.Add(x => x.FlowId, flow).Add(x => x.Node, graph.Node("destination-1")));
        var source = Render<FlowDebugPanel>(p => p.Add(x => x.FlowId, flow).Add(x => x.Node, graph.Node("source-1")));
        destination.WaitForElement("[data-testid=debug-empty]");
        source.WaitForElement("[data-testid=debug-empty]");

        await World.ArriveAsync([World.Reading(3), World.Reading(9, minute: 15)], ct: Xunit.TestContext.Current.CancellationToken);

        destination.WaitForAssertion(() => Assert.Single(destination.FindAll("[data-testid=debug-step]")), Patience);
        Assert.Equal("""{"v":3}""", destination.Find("[data-testid=debug-input]").TextContent.Trim());
        Assert.Equal("pending", destination.Find("[data-testid=delivery-status]").GetAttribute("data-status"));
        source.WaitForAssertion(() => Assert.Equal(2, source.FindAll("[data-testid=debug-run]").Count), Patience);
        Assert.Contains("\"value\":9", source.Markup, StringComparison.Ordinal);
        Assert.Matches("too high", source.Find("[data-testid=debug-run-error]").TextContent);
    }
}
