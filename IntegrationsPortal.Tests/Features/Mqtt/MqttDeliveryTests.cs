using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>Test send through an MQTT integration, end to end: outbox, Quartz, the sender on MQTTnet, a real Mosquitto, a subscriber.</summary>
public class MqttDeliveryTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new();
    private MosquittoBroker _broker = default!;
    private Tenant _acme = default!;

    public async ValueTask InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync(new MosquittoSetup { DeniedTopics = ["forbidden/#"] });
        _acme = await _app.Services.SetUpFirstOrganizationAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Theory]
    [InlineData("0", "none (QoS 0 is not acknowledged)")]
    [InlineData("1", "PUBACK for packet")]
    [InlineData("2", "PUBCOMP for packet")]
    public async Task TestSend_PublishesToTheResolvedTopic_AndRecordsTheBrokersAcknowledgement(string qos, string acknowledgement)
    {
        await using var subscriber = await MqttSubscriber.StartAsync(_broker.Host, _broker.Port, "sites/+/telemetry");
        var integration = await CreateAsync(qos);

        var (received, detail) = await TestSendAsync(integration, subscriber);

        Assert.Equal("sites/site-7/telemetry", received.Topic);
        Assert.Contains("21.5", received.Text, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.StartsWith(acknowledgement, detail.Attempts[^1].ResponseBody, StringComparison.Ordinal);
        Assert.Equal($"PUBLISH QoS {qos}", detail.Attempts[^1].Method);
    }

    [Theory]
    [InlineData("1", "PUBACK for packet", ": success (reason code 0x00)")]
    [InlineData("2", "PUBCOMP for packet", "; PUBREC said success (reason code 0x00)")]
    public async Task TestSend_V5Integration_CarriesExpiryAndUserProperties_AndRecordsTheAckReasonCode(string qos, string acknowledgement, string reason)
    {
        await using var subscriber = await MqttSubscriber.StartAsync(_broker.Host, _broker.Port, "sites/+/telemetry", v5: true);
        var integration = await CreateAsync(qos, new()
        {
            ["protocol_version"] = "5.0", ["message_expiry_seconds"] = "120", ["user_properties"] = """{"source":"portal","site":"7"}""",
        });

        var (received, detail) = await TestSendAsync(integration, subscriber);

        Assert.Equal("sites/site-7/telemetry", received.Topic);
        Assert.Equal([new("source", "portal"), new("site", "7")], received.UserProperties);
        Assert.InRange(received.MessageExpiryInterval, 100u, 120u);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.StartsWith(acknowledgement, detail.Attempts[^1].ResponseBody, StringComparison.Ordinal);
        Assert.EndsWith(reason, detail.Attempts[^1].ResponseBody, StringComparison.Ordinal);
        Assert.Equal("Protocol: MQTT 5.0\nMessage-Expiry-Interval: 120\nUser-Property: source=portal\nUser-Property: site=7", detail.Attempts[^1].RequestHeaders);
    }

    [Fact]
    public async Task TestSend_V5ToATopicTheBrokerDenies_FailsWithNotAuthorizedAndIsNotRetried()
    {
        var integration = await CreateAsync("1", new() { ["protocol_version"] = "5.0", ["topic"] = "forbidden/{placeId}" });

        await using var scope = _app.Services.AsAdmin(_acme);
        var delivery = scope.ServiceProvider.GetRequiredService<DeliveryService>();
        var accepted = await delivery.SendTestAsync(integration, """{"placeId":"site-7"}""", ct: TestContext.Current.CancellationToken);
        var detail = await WaitUntilSettledAsync(delivery, accepted.MessageId);

        var attempt = Assert.Single(detail.Attempts);
        Assert.True(detail.Message.Status is DeliveryStatus.Failed or DeliveryStatus.Dead, $"Status {detail.Message.Status}");
        Assert.Equal("publish_refused", attempt.ErrorClass);
        Assert.Equal("not authorized (reason code 0x87)", attempt.ResponseBody);
        Assert.Contains("refused the message to 'forbidden/site-7': not authorized (reason code 0x87) in its PUBACK", attempt.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TopicPlaceholders_TakeThePayloadsFields_AndLeaveUnknownOnesForTheTopicCheck()
    {
        Assert.Equal("sites/7/devices/m-1", MqttSender.ResolveTopic("sites/{placeId}/devices/{deviceId}", """{"placeId":7,"deviceId":"m-1"}"""));
        Assert.Equal("sites/{placeId}", MqttSender.ResolveTopic("sites/{placeId}", "not json"));
    }

    /// <summary>Test send of a reading from site-7; what the subscriber got and the message's history once attempted.</summary>
    private async Task<(ReceivedMessage Received, DeliveryDetail Detail)> TestSendAsync(Guid integration, MqttSubscriber subscriber)
    {
        await using var scope = _app.Services.AsAdmin(_acme);
        var delivery = scope.ServiceProvider.GetRequiredService<DeliveryService>();
        var accepted = await delivery.SendTestAsync(integration, """{"placeId":"site-7","temperature":21.5}""", ct: TestContext.Current.CancellationToken);

        var received = await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20));
        return (received, await WaitUntilSettledAsync(delivery, accepted.MessageId));
    }

    private async Task<Guid> CreateAsync(string qos, Dictionary<string, string>? extra = null)
    {
        var properties = new Dictionary<string, string?>
        {
            ["host"] = _broker.Host, ["port"] = _broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["topic"] = "sites/{placeId}/telemetry", ["qos"] = qos,
        };
        foreach (var (name, value) in extra ?? [])
        {
            properties[name] = value;
        }

        await using var scope = _app.Services.AsAdmin(_acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = "mqtt",
            Name = $"Broker QoS {qos}",
            Properties = properties,
        });
    }

    // Settled: delivered, or given up (a refusal that retrying cannot fix).
    private static Task<DeliveryDetail> WaitUntilSettledAsync(DeliveryService delivery, Guid messageId) => Eventually.ReadAsync(
        () => delivery.GetAsync(messageId), detail => detail.Message.Status is not DeliveryStatus.Pending, $"message {messageId} to settle");
}

[OnPostgreSQL]
public sealed class MqttDeliveryOnPostgreSQLTests : MqttDeliveryTests;
