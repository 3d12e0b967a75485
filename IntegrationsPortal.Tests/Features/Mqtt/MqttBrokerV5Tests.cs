using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>Our client speaking MQTT 5.0 to a real Mosquitto: properties, reason codes, expiry, broker DISCONNECT.</summary>
public class MqttBrokerV5Tests(MosquittoFixture mosquitto) : IClassFixture<MosquittoFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly MqttProperties Reading = new()
    {
        MessageExpiryInterval = 300,
        ContentType = "application/json",
        UserProperties = [new("site", "site-7"), new("unit", "kWh"), new("site", "site-8")],
    };

    [Theory]
    [InlineData(MqttQos.AtMostOnce)]
    [InlineData(MqttQos.AtLeastOnce)]
    [InlineData(MqttQos.ExactlyOnce)]
    public async Task Publish_EachQos_V5SubscriberSeesUserPropertiesAndMessageExpiry(MqttQos qos)
    {
        var topic = MqttTest.Topic("v5-qos");
        await using var subscriber = await MqttTest.SubscriberAsync(mosquitto.OptionsV5(), topic);
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.OptionsV5());

        var result = await publisher.PublishAsync(topic, MqttTest.Utf8("""{"kWh":12.5}"""), qos, retain: false, Reading, Token);
        var message = await subscriber.NextMessageAsync();

        Assert.Equal("""{"kWh":12.5}""", message.Text());
        Assert.Equal(qos, message.Qos);
        Assert.Equal(Reading.UserProperties, message.Properties!.UserProperties);
        Assert.Equal("application/json", message.Properties.ContentType);
        // The broker forwards what is left of the expiry: at most what was sent, and not yet run out.
        Assert.InRange(message.Properties.MessageExpiryInterval!.Value, 290u, 300u);
        Assert.Equal(qos == MqttQos.AtMostOnce ? null : (byte?)0x00, result.ReasonCode);
        Assert.Contains(qos == MqttQos.AtMostOnce ? "not acknowledged" : "success (reason code 0x00)", result.Acknowledgement);
    }

    [Fact]
    public async Task Publish_V311Subscriber_GetsTheMessageWithoutProperties()
    {
        var topic = MqttTest.Topic("v5-to-v311");
        await using var subscriber = await MqttTest.SubscriberAsync(mosquitto.Options(), topic);
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.OptionsV5());

        await publisher.PublishAsync(topic, MqttTest.Utf8("mixed"), MqttQos.AtLeastOnce, retain: false, Reading, Token);
        var message = await subscriber.NextMessageAsync();

        Assert.Equal("mixed", message.Text());
        Assert.Null(message.Properties);
    }

    [Theory]
    [InlineData(MqttQos.AtLeastOnce, "PUBACK")]
    [InlineData(MqttQos.ExactlyOnce, "PUBREC")]
    public async Task Publish_ToTopicTheAclDenies_FailsThatMessageWithNotAuthorized_AndTheConnectionCarriesOn(MqttQos qos, string ack)
    {
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.OptionsV5());
        var denied = $"{MosquittoFixture.DeniedTopics}/{Guid.NewGuid():N}";

        var error = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => publisher.PublishAsync(denied, MqttTest.Utf8("no"), qos, cancellationToken: Token));
        var allowed = MqttTest.Topic("after-denial");
        await using var subscriber = await MqttTest.SubscriberAsync(mosquitto.OptionsV5(), allowed);
        var next = await publisher.PublishAsync(allowed, MqttTest.Utf8("yes"), qos, cancellationToken: Token);

        Assert.Equal(0x87, error.ReasonCode);
        Assert.False(error.IsTransient);
        Assert.Contains($"refused the message to '{denied}': not authorized (reason code 0x87) in its {ack}", error.Message);
        Assert.Equal((byte?)0x00, next.ReasonCode);
        Assert.Equal("yes", (await subscriber.NextMessageAsync()).Text());
        Assert.Equal(MqttConnectionState.Connected, publisher.State);
    }

    [Fact]
    public async Task Publish_ToDeniedTopic_Over311_IsAcknowledgedWithoutSayingSo()
    {
        // The contrast that makes 5.0 worth having: 3.1.1 has no way to tell the publisher.
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.Options());

        var result = await publisher.PublishAsync($"{MosquittoFixture.DeniedTopics}/x", MqttTest.Utf8("lost"), MqttQos.AtLeastOnce, cancellationToken: Token);

        Assert.Null(result.ReasonCode);
    }

    [Fact]
    public async Task RetainedMessage_WithOneSecondExpiry_IsGoneForASubscriberTwoSecondsLater()
    {
        var expiring = MqttTest.Topic("expiring");
        var lasting = MqttTest.Topic("lasting");
        await using (var publisher = await MqttTest.ConnectAsync(mosquitto.OptionsV5()))
        {
            await publisher.PublishAsync(expiring, MqttTest.Utf8("stale soon"), MqttQos.AtLeastOnce, retain: true, new MqttProperties { MessageExpiryInterval = 1 }, Token);
            await publisher.PublishAsync(lasting, MqttTest.Utf8("still here"), MqttQos.AtLeastOnce, retain: true, MqttProperties.None, Token);
        }

        await using (var early = await MqttTest.SubscriberAsync(mosquitto.OptionsV5(), expiring))
        {
            Assert.Equal("stale soon", (await early.NextMessageAsync()).Text());
        }

        await Task.Delay(TimeSpan.FromSeconds(2.2), Token);
        await using var late = await MqttTest.SubscriberAsync(mosquitto.OptionsV5(), expiring);
        await using var control = await MqttTest.SubscriberAsync(mosquitto.OptionsV5(), lasting);

        Assert.True(await late.StaysQuietAsync(TimeSpan.FromMilliseconds(500)), "The expired retained message was still delivered.");
        Assert.Equal("still here", (await control.NextMessageAsync()).Text());
    }

    [Fact]
    public async Task Connect_WithWrongPassword_IsRefusedWithTheV5ReasonAndNoPassword()
    {
        const string wrong = "not-the-password-5512";
        await using var connection = new MqttConnection(mosquitto.OptionsV5(mosquitto.Broker.AuthPort) with
        {
            UserName = MosquittoFixture.UserName,
            Password = wrong,
        });

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(Token));

        // Mosquitto 2.0 answers a wrong password with 0x87 (the fake broker tests cover 0x86, bad user name or password).
        Assert.Equal(0x87, error.ReasonCode);
        Assert.Equal(MqttConnectReason.NotAuthorized, error.Reason);
        Assert.False(error.IsTransient);
        Assert.Contains("refused the connection: not authorized (reason code 0x87)", error.Message);
        Assert.DoesNotContain(wrong, error.Message);
    }

    [Fact]
    public async Task Connect_WithRightPassword_ReadsTheBrokersLimits()
    {
        await using var connection = await MqttTest.ConnectAsync(mosquitto.OptionsV5(mosquitto.Broker.AuthPort) with
        {
            UserName = MosquittoFixture.UserName,
            Password = MosquittoFixture.Password,
        });

        var limits = connection.ServerLimits;

        Assert.Equal(MqttQos.ExactlyOnce, limits.MaximumQos);
        Assert.True(limits.RetainAvailable);
        Assert.InRange(limits.ReceiveMaximum, 1, ushort.MaxValue);
        Assert.Equal(MqttConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task Connect_WithEmptyClientId_GetsOneAssignedByTheBroker()
    {
        await using var connection = await MqttTest.ConnectAsync(mosquitto.OptionsV5() with { ClientId = "" });

        Assert.False(string.IsNullOrEmpty(connection.ServerLimits.AssignedClientIdentifier));
    }
}
