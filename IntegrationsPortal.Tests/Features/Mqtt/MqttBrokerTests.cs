using IntegrationsPortal.Features.Mqtt;
using MQTTnet.Protocol;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>The portal's broker connection (MQTTnet underneath) against a real Mosquitto that stays up for the whole class.</summary>
public class MqttBrokerTests(MosquittoFixture mosquitto) : IClassFixture<MosquittoFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task Publish_EachQos_IsReadBackBySubscriber(MqttQualityOfServiceLevel qos)
    {
        var topic = MqttTest.Topic("qos");
        await using var subscriber = await mosquitto.SubscriberAsync(topic);
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.Settings());

        var result = await publisher.PublishAsync(topic, MqttTest.Utf8($"reading at QoS {(int)qos}"), qos, ct: Token);
        var message = await subscriber.NextMessageAsync();

        Assert.Equal(qos, result.Qos);
        Assert.Equal(qos == MqttQualityOfServiceLevel.AtMostOnce, result.PacketId == 0);
        Assert.Equal(topic, message.Topic);
        Assert.Equal($"reading at QoS {(int)qos}", message.Text);
        Assert.Equal(qos, message.Qos);
        Assert.False(message.Retain);
    }

    [Theory]
    // At most 1,000: Mosquitto queues that many per subscriber (max_queued_messages) and drops the rest.
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce, 1000)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce, 500)]
    public async Task Publish_ManyConcurrent_AllArriveOnceWithDistinctPacketIds(MqttQualityOfServiceLevel qos, int count)
    {
        var topic = MqttTest.Topic("concurrent");
        await using var subscriber = await mosquitto.SubscriberAsync(topic);
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.Settings());

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            publisher.PublishAsync(topic, MqttTest.Utf8($"m{i}"), qos, ct: Token)));
        var received = await subscriber.ReadMessagesAsync(count);

        Assert.All(results, result => Assert.NotEqual(0, result.PacketId));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"m{i}").Order(), received.Select(m => m.Text).Order());
        Assert.True(await subscriber.StaysQuietAsync(TimeSpan.FromMilliseconds(200)), "A message arrived twice.");
    }

    [Fact]
    public async Task Retained_IsSeenByLateSubscriber()
    {
        var topic = MqttTest.Topic("retained");
        await using (var publisher = await MqttTest.ConnectAsync(mosquitto.Settings()))
        {
            await publisher.PublishAsync(topic, MqttTest.Utf8("last known state"), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, ct: Token);
        }

        await using var lateSubscriber = await mosquitto.SubscriberAsync(topic);
        var message = await lateSubscriber.NextMessageAsync();

        Assert.True(message.Retain);
        Assert.Equal("last known state", message.Text);
    }

    [Fact]
    public async Task Will_IsPublished_WhenConnectionIsCutWithoutDisconnect()
    {
        var willTopic = MqttTest.Topic("will");
        await using var subscriber = await mosquitto.SubscriberAsync(willTopic);
        await using var doomed = await MqttTest.ConnectAsync(mosquitto.Settings() with
        {
            Will = new MqttWill(willTopic, MqttTest.Utf8("gateway offline"), MqttQualityOfServiceLevel.AtLeastOnce),
        });

        doomed.Abort();
        var will = await subscriber.NextMessageAsync();

        Assert.Equal("gateway offline", will.Text);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, will.Qos);
    }

    [Fact]
    public async Task Will_IsNotPublished_AfterCleanDisconnect()
    {
        var willTopic = MqttTest.Topic("no-will");
        await using var subscriber = await mosquitto.SubscriberAsync(willTopic);
        var polite = await MqttTest.ConnectAsync(mosquitto.Settings() with { Will = new MqttWill(willTopic, MqttTest.Utf8("offline")) });

        await polite.DisposeAsync();

        Assert.True(await subscriber.StaysQuietAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Connect_WithRightPassword_IsAccepted()
    {
        await using var connection = await MqttTest.ConnectAsync(mosquitto.Settings(mosquitto.Broker.AuthPort) with
        {
            UserName = MosquittoFixture.UserName,
            Password = MosquittoFixture.Password,
        });

        var result = await connection.PublishAsync(MqttTest.Topic("auth"), MqttTest.Utf8("in"), MqttQualityOfServiceLevel.AtLeastOnce, ct: Token);

        Assert.True(connection.IsConnected);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, result.Qos);
    }

    [Fact]
    public async Task Connect_WithWrongPassword_IsRefusedWithClearReasonAndNoPassword()
    {
        const string wrong = "not-the-password-7731";

        var error = await Assert.ThrowsAsync<MqttConnectRefusedException>(() => MqttTest.ConnectAsync(mosquitto.Settings(mosquitto.Broker.AuthPort) with
        {
            UserName = MosquittoFixture.UserName,
            Password = wrong,
        }));

        // Mosquitto 2 answers a wrong password with "not authorized" (5), not "bad username or password" (4).
        Assert.Equal(0x87, error.ReasonCode);
        Assert.False(error.IsTransient);
        Assert.Contains("refused the connection: not authorized", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_AnonymousWhereLoginIsRequired_IsNotAuthorized()
    {
        var error = await Assert.ThrowsAsync<MqttConnectRefusedException>(() => MqttTest.ConnectAsync(mosquitto.Settings(mosquitto.Broker.AuthPort)));

        Assert.Equal(0x87, error.ReasonCode);
    }

    [Fact]
    public async Task Tls_ServerIssuedByGivenCa_IsAcceptedAndCarriesMessages()
    {
        var topic = MqttTest.Topic("tls");
        await using var subscriber = await mosquitto.SubscriberAsync(topic);
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.Settings(mosquitto.Broker.TlsPort) with { Tls = new MqttTlsSettings { CaCertificate = mosquitto.Ca } });

        await publisher.PublishAsync(topic, MqttTest.Utf8("encrypted"), MqttQualityOfServiceLevel.ExactlyOnce, ct: Token);

        Assert.Equal("encrypted", (await subscriber.NextMessageAsync()).Text);
    }

    [Fact]
    public async Task Tls_ServerNotTrustedBySystemStore_IsRefused()
    {
        var error = await Assert.ThrowsAsync<MqttBrokerException>(() => MqttTest.ConnectAsync(mosquitto.Settings(mosquitto.Broker.TlsPort) with { Tls = new MqttTlsSettings() }));

        Assert.Contains("its certificate is not signed by a trusted CA", error.Message, StringComparison.Ordinal);
        Assert.Contains("RemoteCertificateChainErrors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ServerIssuedByAnotherCa_IsRefused()
    {
        using var otherCa = TestCertificates.CreateCa("Someone Else's CA");

        var error = await Assert.ThrowsAsync<MqttBrokerException>(() => MqttTest.ConnectAsync(mosquitto.Settings(mosquitto.Broker.TlsPort) with { Tls = new MqttTlsSettings { CaCertificate = otherCa } }));

        Assert.Contains("not signed by the CA certificate given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_WrongHostName_IsRefused()
    {
        var error = await Assert.ThrowsAsync<MqttBrokerException>(() => MqttTest.ConnectAsync(mosquitto.Settings(mosquitto.Broker.TlsPort) with
        {
            Tls = new MqttTlsSettings { CaCertificate = mosquitto.Ca, TargetHost = "broker.example.com" },
        }));

        Assert.Contains("RemoteCertificateNameMismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ClientCertificate_IsPresentedWhereTheBrokerRequiresOne()
    {
        var mutual = mosquitto.Settings(mosquitto.Broker.MutualTlsPort) with
        {
            Tls = new MqttTlsSettings { CaCertificate = mosquitto.Ca, ClientCertificate = mosquitto.ClientCertificate },
        };
        await using var connection = await MqttTest.ConnectAsync(mutual);

        var result = await connection.PublishAsync(MqttTest.Topic("mtls"), MqttTest.Utf8("signed"), MqttQualityOfServiceLevel.AtLeastOnce, ct: Token);

        Assert.NotEqual(0, result.PacketId);
        // The contrast: Mosquitto (require_certificate true) ends the handshake of a client without one.
        await Assert.ThrowsAsync<MqttBrokerException>(() => MqttTest.ConnectAsync(mutual with { Tls = mutual.Tls! with { ClientCertificate = null } }));
    }
}
