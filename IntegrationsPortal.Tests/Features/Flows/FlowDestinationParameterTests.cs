using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Features.Delivery;
using IntegrationsPortal.Tests.Features.Mqtt;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>
/// A destination node's per-flow parameters, from the deployed flow through the outbox and the real
/// senders to what the receiver gets: a loopback HTTP receiver, Mosquitto, aiosmtpd.
/// </summary>
public class FlowDestinationParameterTests : IAsyncLifetime
{
    private const string Reading = "function transform(m) { return { id: 'm-42', site: 'Hall 1', metric: m.metric, wh: m.value * 1000, text: 'raw' }; }";
    private FlowTestBed _bed = default!;

    public async ValueTask InitializeAsync() => _bed = await FlowTestBed.StartAsync();

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Webhook_GetsThePathSuffixAndExtraHeaders_RenderedFromTheMessage()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var webhook = await _bed.ActiveWebhookAsync(receiver, "Primary");
        await DeployAsync(webhook, new() { ["path_suffix"] = "/meters/{{id}}", ["headers"] = "X-Site: {{site}}\nX-Metric: {{metric}}" });

        await _bed.ArriveAsync([_bed.Reading(1.5)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/in/meters/m-42", request.Path);
        Assert.Equal(("Hall 1", "kwh"), (request.Headers["X-Site"], request.Headers["X-Metric"]));
        Assert.StartsWith("v1,", request.Headers["webhook-signature"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_PathSuffixFromAValue_StaysUnderTheIntegrationsPath_AndFlowHeadersReplaceTheIntegrations()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var http = await _bed.Harness.CreateAsync("http", new()
        {
            ["url"] = new Uri(receiver.Url, "api/in?tenant=7").ToString(), ["headers"] = """{"X-Site":"from-integration","X-Fixed":"kept"}""",
        });
        await ActivateAsync(http);
        receiver.Requests.Clear();
        await DeployAsync(http, new() { ["path_suffix"] = "/{{id}}/{{up}}/x", ["headers"] = "X-Site: {{site}}" },
            "function transform(m) { return { id: 'm-42', up: '..', site: 'Hall 1' }; }");

        await _bed.ArriveAsync([_bed.Reading(2)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/api/in/m-42/x?tenant=7", request.Path);
        Assert.Equal(("Hall 1", "kept"), (request.Headers["X-Site"], request.Headers["X-Fixed"]));
    }

    [Fact]
    public async Task Mqtt_PublishesToTheFlowsTopicTemplate_InsteadOfTheIntegrationsTopic()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSetup());
        await using var subscriber = await MqttSubscriber.StartAsync(broker.Host, broker.Port, "#");
        var mqtt = await _bed.Harness.CreateAsync("mqtt", new()
        {
            ["host"] = broker.Host, ["port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["topic"] = "integration/default", ["qos"] = "1",
        });
        await ActivateAsync(mqtt);
        await DeployAsync(mqtt, new() { ["topic"] = "sites/{{site}}/{{metric}}" });

        await _bed.ArriveAsync([_bed.Reading(3)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var received = await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("sites/Hall 1/kwh", received.Topic);
        Assert.Contains("\"wh\":3000", received.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_CarriesTheFlowsSubjectTemplate()
    {
        await using var smtp = await SmtpServer.StartAsync();
        var email = await _bed.Harness.CreateAsync("email", new()
        {
            ["smtp_host"] = "127.0.0.1", ["smtp_port"] = smtp.PortText, ["starttls"] = "false",
            ["from"] = "alerts@acme.test", ["recipients"] = "ops@acme.test",
        });
        await ActivateAsync(email);
        await DeployAsync(email, new() { ["subject"] = "{{site}}: {{metric}} at {{wh}} Wh" });

        await _bed.ArriveAsync([_bed.Reading(4)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var mail = Assert.Single(smtp.Messages());
        Assert.Contains("Subject: Hall 1: kwh at 4000 Wh", mail, StringComparison.Ordinal);
        Assert.Contains("raw", mail, StringComparison.Ordinal);
    }

    private async Task ActivateAsync(Guid integration) =>
        Assert.Equal(IntegrationStatus.Active, (await _bed.Harness.VerifyAsync(integration)).Status);

    private Task DeployAsync(Guid destination, Dictionary<string, string> parameters, string code = Reading)
    {
        var graph = FlowTestBed.MeterThroughFunction(_bed.Meter, code, destination);
        graph.Nodes.Single(n => n.Id == "destination-1").Parameters = parameters;
        return _bed.DeployAsync(graph);
    }
}

[OnPostgreSQL]
public sealed class FlowDestinationParameterOnPostgreSQLTests : FlowDestinationParameterTests;
