using IntegrationsPortal.Features.Mqtt;
using MQTTnet.Protocol;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>The portal's broker connection speaking MQTT 5.0 to a real Mosquitto: properties, reason codes, expiry, limits.</summary>
public class MqttBrokerV5Tests(MosquittoFixture mosquitto) : IClassFixture<MosquittoFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly MqttMessageProperties Reading = new()
    {
        MessageExpiryInterval = 300,
        ContentType = "application/json",
        UserProperties = [new("site", "site-7"), new("unit", "kWh"), new("site", "site-8")],
    };

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task Publish_EachQos_V5SubscriberSeesUserPropertiesAndMessageExpiry(MqttQualityOfServiceLevel qos)
    {
        var topic = MqttTest.Topic("v5-qos");
        await using var subscriber = await mosquitto.SubscriberAsync(topic, v5: true);
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.SettingsV5());

        var result = await publisher.PublishAsync(topic, MqttTest.Utf8("""{"kWh":12.5}"""), qos, retain: false, Reading, ct: Token);
        var message = await subscriber.NextMessageAsync();

        Assert.Equal("""{"kWh":12.5}""", message.Text);
        Assert.Equal(qos, message.Qos);
        Assert.Equal(Reading.UserProperties, message.UserProperties);
        Assert.Equal("application/json", message.ContentType);
        // The broker forwards what is left of the expiry: at most what was sent, and not yet run out.
        Assert.InRange(message.MessageExpiryInterval, 290u, 300u);
        Assert.Equal(qos == MqttQualityOfServiceLevel.AtMostOnce ? null : (byte?)0x00, result.ReasonCode);
        Assert.Contains(qos == MqttQualityOfServiceLevel.AtMostOnce ? "not acknowledged" : "success (reason code 0x00)", result.Acknowledgement, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_V311Subscriber_GetsTheMessageWithoutProperties()
    {
        var topic = MqttTest.Topic("v5-to-v311");
        await using var subscriber = await mosquitto.SubscriberAsync(topic);
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.SettingsV5());

        await publisher.PublishAsync(topic, MqttTest.Utf8("mixed"), MqttQualityOfServiceLevel.AtLeastOnce, retain: false, Reading, ct: Token);
        var message = await subscriber.NextMessageAsync();

        Assert.Equal("mixed", message.Text);
        Assert.Empty(message.UserProperties);
        Assert.Null(message.ContentType);
    }

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce, "PUBACK")]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce, "PUBREC")]
    public async Task Publish_ToTopicTheAclDenies_FailsThatMessageWithNotAuthorized_AndTheConnectionCarriesOn(MqttQualityOfServiceLevel qos, string ack)
    {
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.SettingsV5());
        var denied = $"{MosquittoFixture.DeniedTopics}/{Guid.NewGuid():N}";

        var error = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => publisher.PublishAsync(denied, MqttTest.Utf8("no"), qos, ct: Token));
        var allowed = MqttTest.Topic("after-denial");
        await using var subscriber = await mosquitto.SubscriberAsync(allowed, v5: true);
        var next = await publisher.PublishAsync(allowed, MqttTest.Utf8("yes"), qos, ct: Token);

        Assert.Equal(0x87, error.ReasonCode);
        Assert.False(error.IsTransient);
        Assert.Contains($"refused the message to '{denied}': not authorized (reason code 0x87) in its {ack}", error.Message, StringComparison.Ordinal);
        Assert.Equal((byte?)0x00, next.ReasonCode);
        Assert.Equal("yes", (await subscriber.NextMessageAsync()).Text);
        Assert.True(publisher.IsConnected);
    }

    [Fact]
    public async Task Publish_ToDeniedTopic_Over311_IsAcknowledgedWithoutSayingSo()
    {
        // The contrast that makes 5.0 worth having: 3.1.1 has no way to tell the publisher.
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.Settings());

        var result = await publisher.PublishAsync($"{MosquittoFixture.DeniedTopics}/x", MqttTest.Utf8("lost"), MqttQualityOfServiceLevel.AtLeastOnce, ct: Token);

        Assert.Null(result.ReasonCode);
    }

    [Fact]
    public async Task RetainedMessage_WithThreeSecondExpiry_IsGoneForASubscriberFourSecondsLater()
    {
        var expiring = MqttTest.Topic("expiring");
        var lasting = MqttTest.Topic("lasting");
        await using (var publisher = await MqttTest.ConnectAsync(mosquitto.SettingsV5()))
        {
            await publisher.PublishAsync(expiring, MqttTest.Utf8("stale soon"), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, new MqttMessageProperties { MessageExpiryInterval = 3 }, ct: Token);
            await publisher.PublishAsync(lasting, MqttTest.Utf8("still here"), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, new MqttMessageProperties(), ct: Token);
        }

        await using (var early = await mosquitto.SubscriberAsync(expiring, v5: true))
        {
            Assert.Equal("stale soon", (await early.NextMessageAsync()).Text);
        }

        // The broker's clock, not ours: expiry is measured in whole seconds on Mosquitto's side. Three seconds
        // leave the early subscriber time to connect on a busy machine (with one, it once found it expired).
        await Task.Delay(TimeSpan.FromSeconds(4.2), Token);
        await using var late = await mosquitto.SubscriberAsync(expiring, v5: true);
        await using var control = await mosquitto.SubscriberAsync(lasting, v5: true);

        Assert.True(await late.StaysQuietAsync(TimeSpan.FromMilliseconds(500)), "The expired retained message was still delivered.");
        Assert.Equal("still here", (await control.NextMessageAsync()).Text);
    }

    [Fact]
    public async Task Connect_WithWrongPassword_IsRefusedWithTheV5ReasonAndNoPassword()
    {
        const string wrong = "not-the-password-5512";

        var error = await Assert.ThrowsAsync<MqttConnectRefusedException>(() => MqttTest.ConnectAsync(mosquitto.SettingsV5(mosquitto.Broker.AuthPort) with
        {
            UserName = MosquittoFixture.UserName,
            Password = wrong,
        }));

        Assert.Equal(0x87, error.ReasonCode);
        Assert.False(error.IsTransient);
        Assert.Contains("refused the connection: not authorized (reason code 0x87)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_ReadsTheBrokersReceiveMaximum()
    {
        await using var connection = await MqttTest.ConnectAsync(mosquitto.SettingsV5());

        // Mosquitto's max_inflight_messages, 20 by default: the portal never has more unacknowledged.
        Assert.Equal(20, connection.ReceiveMaximum);
    }

    [Fact]
    public async Task Connect_WithEmptyClientId_GetsOneAssignedByTheBroker()
    {
        await using var connection = await MqttTest.ConnectAsync(mosquitto.SettingsV5() with { ClientId = "" });

        Assert.False(string.IsNullOrEmpty(connection.AssignedClientId));
    }
}
