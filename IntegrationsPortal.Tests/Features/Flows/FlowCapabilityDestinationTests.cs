using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>
/// A destination that names a capability: the routing rules pick the integration when each reading
/// arrives (real SQLite, real outbox and dispatcher, loopback webhooks), and Deploy checks the node.
/// </summary>
public class FlowCapabilityDestinationTests : IAsyncLifetime
{
    private FlowTestBed _bed = default!;
    private LoopbackReceiver _a = default!;
    private LoopbackReceiver _b = default!;

    public async ValueTask InitializeAsync()
    {
        _bed = await FlowTestBed.StartAsync();
        _a = await LoopbackReceiver.StartAsync();
        _b = await LoopbackReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task Notify_GoesToTheRulesPrimary_WithItsParameters_AndTheRunSaysWhere()
    {
        var (a, b) = (await _bed.ActiveWebhookAsync(_a, "Webhook A"), await _bed.ActiveWebhookAsync(_b, "Webhook B"));
        await RuleAsync(Capabilities.Notify, a, fallback: b);
        var graph = ToCapability(Capabilities.Notify);
        // path_suffix is the webhook's; topic is for MQTT integrations offering notify and is left out here.
        graph.Nodes.Single(n => n.Id == "destination-1").Parameters = new() { ["path_suffix"] = "/meters/{{wh}}", ["topic"] = "meters/{{wh}}" };
        var flow = await _bed.DeployAsync(graph);

        await _bed.ArriveAsync([_bed.Reading(1.5)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var request = Assert.Single(_a.Requests);
        Assert.Equal("""{"device":"Main meter","wh":1500,"flow":"Meters out"}""", request.Body);
        Assert.EndsWith("/in/meters/1500", request.Path, StringComparison.Ordinal);
        Assert.Empty(_b.Requests);
        var step = await DestinationStepAsync(flow, "destination-1");
        Assert.Equal("Routed notify to 'Webhook A'.", step.Note);
        Assert.Equal(a, Assert.Single(await _bed.OutboxAsync()).IntegrationId);
        Assert.False((await _bed.OutboxAsync()).Single().Parameters.ContainsKey("topic"));
    }

    [Fact]
    public async Task Notify_GoesToTheFallback_WhenThePrimaryIsDisabled()
    {
        var (a, b) = (await _bed.ActiveWebhookAsync(_a, "Webhook A"), await _bed.ActiveWebhookAsync(_b, "Webhook B"));
        await RuleAsync(Capabilities.Notify, a, fallback: b);
        var flow = await _bed.DeployAsync(ToCapability(Capabilities.Notify));
        await _bed.Harness.AsAdminAsync(async sp =>
        {
            await sp.GetRequiredService<IntegrationService>().DisableAsync(a);
            return true;
        });

        await _bed.ArriveAsync([_bed.Reading(2)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        Assert.Empty(_a.Requests);
        Assert.Contains("\"wh\":2000", Assert.Single(_b.Requests).Body, StringComparison.Ordinal);
        var step = await DestinationStepAsync(flow, "destination-1");
        Assert.Equal("Routed notify to 'Webhook B', the rule's fallback.", step.Note);
        Assert.Equal(DeliveryStatus.Delivered, step.DeliveryStatus);
    }

    [Fact]
    public async Task Notify_WhoseIntegrationFailsForGoodAfterQueueing_IsReRoutedToTheNextIntegration_AndTheHistoryFollowsIt()
    {
        var (a, b) = (await _bed.ActiveWebhookAsync(_a, "Webhook A"), await _bed.ActiveWebhookAsync(_b, "Webhook B"));
        await RuleAsync(Capabilities.Notify, a, fallback: b);
        var graph = ToCapability(Capabilities.Notify);
        graph.Nodes.Single(n => n.Id == "destination-1").Parameters = new() { ["path_suffix"] = "/meters/{{wh}}" };
        var flow = await _bed.DeployAsync(graph);
        // A takes the message into its queue, then answers 410 Gone: a final failure for that message.
        _a.Respond = (context, _) =>
        {
            context.Response.StatusCode = 410;
            return Task.CompletedTask;
        };

        await _bed.ArriveAsync([_bed.Reading(1.5)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();
        await _bed.Harness.DispatchAsync();

        Assert.Single(_a.Requests);
        var request = Assert.Single(_b.Requests);
        Assert.Equal("""{"device":"Main meter","wh":1500,"flow":"Meters out"}""", request.Body);
        Assert.EndsWith("/in/meters/1500", request.Path, StringComparison.Ordinal);
        var outbox = await _bed.OutboxAsync();
        Assert.Equal([a, b], outbox.Select(m => m.IntegrationId));
        Assert.Equal(DeliveryStatus.Delivered, outbox[1].Status);
        var step = await DestinationStepAsync(flow, "destination-1");
        Assert.Equal("Routed notify to 'Webhook A'. Re-routed to 'Webhook B' after a final failure.", step.Note);
        Assert.Equal((outbox[1].Id, DeliveryStatus.Delivered), (step.OutboxMessageId, step.DeliveryStatus));
    }

    [Fact]
    public async Task NoRule_FailsThatDestinationsStep_WithTheRoutersMessage_AndTheOtherDestinationStillDelivers()
    {
        var a = await _bed.ActiveWebhookAsync(_a, "Webhook A");
        var graph = ToCapability(Capabilities.SendSms);
        graph.Nodes.Add(new FlowNode { Id = "destination-2", Kind = FlowNodeKind.Destination, IntegrationId = a });
        graph.Edges.Add(new FlowEdge("function-1", "destination-2"));
        var flow = await _bed.FlowsAsync(f => f.CreateAsync("Meters out"));
        await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, graph));

        var deployed = await _bed.FlowsAsync(f => f.DeployAsync(flow));
        await _bed.ArriveAsync([_bed.Reading(3)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var warning = Assert.Single(deployed.Warnings);
        Assert.Equal(("destination-1", "No routing rule sends send_sms anywhere yet: this destination receives nothing until one does."), (warning.NodeId, warning.Message));
        Assert.Contains("\"wh\":3000", Assert.Single(_a.Requests).Body, StringComparison.Ordinal);
        var failed = await DestinationStepAsync(flow, "destination-1");
        Assert.Equal("no active provider for send_sms", failed.Error);
        Assert.Null(failed.OutboxMessageId);
        Assert.Equal(DeliveryStatus.Delivered, (await DestinationStepAsync(flow, "destination-2")).DeliveryStatus);
    }

    [Fact]
    public async Task Deploy_RefusesACapabilityThatIsNotRoutable_AndAParameterATypeOfferingItRefuses()
    {
        var graph = ToCapability(Capabilities.Publish);
        graph.Nodes.Add(new FlowNode
        {
            Id = "destination-2", Kind = FlowNodeKind.Destination, Capability = Capabilities.Notify,
            Parameters = new() { ["path_suffix"] = "no-slash", ["subject"] = "Hi" },
        });
        graph.Edges.Add(new FlowEdge("function-1", "destination-2"));
        var flow = await _bed.FlowsAsync(f => f.CreateAsync("Broken"));
        await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, graph));

        var refusal = await Assert.ThrowsAsync<PortalException>(() => _bed.FlowsAsync(f => f.DeployAsync(flow)));

        Assert.Equal("'publish' is not a routable capability; pick one of initiate_payment, notify, process_refund, send_email, send_sms, send_whatsapp, verify_payment.",
            Assert.Single(refusal.FieldErrors["nodes.destination-1"]));
        Assert.Equal(["path_suffix: Start the path suffix with /.", "subject: No integration offering notify takes 'subject'."],
            refusal.FieldErrors["nodes.destination-2"].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deploy_WarnsWhenTheRulesIntegrationsAreNotActive_AndNotWhenOneIs()
    {
        var (a, b) = (await _bed.ActiveWebhookAsync(_a, "Webhook A"), await _bed.ActiveWebhookAsync(_b, "Webhook B"));
        await RuleAsync(Capabilities.Notify, a, fallback: b);
        var flow = await _bed.FlowsAsync(f => f.CreateAsync("Meters out"));
        await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, ToCapability(Capabilities.Notify)));

        Assert.Empty((await _bed.FlowsAsync(f => f.DeployAsync(flow))).Warnings);

        await _bed.Harness.AsAdminAsync(async sp =>
        {
            var integrations = sp.GetRequiredService<IntegrationService>();
            await integrations.DisableAsync(a);
            await integrations.DisableAsync(b);
            return true;
        });
        var warning = Assert.Single((await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, ToCapability(Capabilities.Notify)))).Warnings);
        Assert.StartsWith("no active provider for notify: ", warning.Message, StringComparison.Ordinal);
    }

    private FlowGraph ToCapability(string capability) => _bed.MeterToCapability(capability);

    private Task<string> RuleAsync(string capability, Guid integration, Guid? fallback = null) => _bed.RuleAsync(capability, integration, fallback);

    private async Task<FlowStepView> DestinationStepAsync(Guid flow, string nodeId)
    {
        var run = Assert.Single((await _bed.HistoryAsync(flow)).Items);
        return Assert.Single((await _bed.FlowsAsync(f => f.GetRunAsync(run.Id))).Steps, s => s.NodeId == nodeId);
    }
}

[OnPostgreSQL]
public sealed class FlowCapabilityDestinationOnPostgreSQLTests : FlowCapabilityDestinationTests;
