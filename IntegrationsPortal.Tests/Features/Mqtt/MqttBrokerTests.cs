using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>Our client against a real Mosquitto that stays up for the whole class.</summary>
public class MqttBrokerTests(MosquittoFixture mosquitto) : IClassFixture<MosquittoFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(MqttQos.AtMostOnce)]
    [InlineData(MqttQos.AtLeastOnce)]
    [InlineData(MqttQos.ExactlyOnce)]
    public async Task Publish_EachQos_IsReadBackBySubscriber(MqttQos qos)
    {
        var topic = MqttTest.Topic("qos");
        await using var subscriber = await MqttTest.SubscriberAsync(mosquitto.Options(), topic);
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.Options());

        var result = await publisher.PublishAsync(topic, MqttTest.Utf8($"reading at QoS {(int)qos}"), qos, cancellationToken: Token);
        var message = await subscriber.NextMessageAsync();

        Assert.Equal(qos, result.Qos);
        Assert.Equal(qos == MqttQos.AtMostOnce, result.PacketId == 0);
        Assert.Equal(topic, message.Topic);
        Assert.Equal($"reading at QoS {(int)qos}", message.Text());
        Assert.Equal(qos, message.Qos);
        Assert.False(message.Retain);
    }

    [Theory]
    // At most 1,000: Mosquitto queues that many per subscriber (max_queued_messages) and drops the rest.
    [InlineData(MqttQos.AtLeastOnce, 1000)]
    [InlineData(MqttQos.ExactlyOnce, 500)]
    public async Task Publish_ManyConcurrent_AllArriveOnceWithDistinctPacketIds(MqttQos qos, int count)
    {
        var topic = MqttTest.Topic("concurrent");
        await using var subscriber = await MqttTest.SubscriberAsync(mosquitto.Options(), topic, qos);
        // Fewer slots than messages: callers queue for packet ids, which are never reused while in flight.
        await using var publisher = await MqttTest.ConnectAsync(mosquitto.Options() with { MaxInFlight = 100 });

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            publisher.PublishAsync(topic, MqttTest.Utf8($"m{i}"), qos, cancellationToken: Token)));
        var received = await subscriber.ReadMessagesAsync(count);

        Assert.All(results, result => Assert.NotEqual(0, result.PacketId));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"m{i}").Order(), received.Select(m => m.Text()).Order());
        Assert.True(await subscriber.StaysQuietAsync(TimeSpan.FromMilliseconds(200)), "A message arrived twice.");
    }

    [Fact]
    public async Task Retained_IsSeenByLateSubscriber()
    {
        var topic = MqttTest.Topic("retained");
        await using (var publisher = await MqttTest.ConnectAsync(mosquitto.Options()))
        {
            await publisher.PublishAsync(topic, MqttTest.Utf8("last known state"), MqttQos.AtLeastOnce, retain: true, Token);
        }

        await using var lateSubscriber = await MqttTest.SubscriberAsync(mosquitto.Options(), topic);
        var message = await lateSubscriber.NextMessageAsync();

        Assert.True(message.Retain);
        Assert.Equal("last known state", message.Text());
    }

    [Fact]
    public async Task Will_IsPublished_WhenConnectionIsCutWithoutDisconnect()
    {
        var willTopic = MqttTest.Topic("will");
        await using var subscriber = await MqttTest.SubscriberAsync(mosquitto.Options(), willTopic);
        await using var doomed = await MqttTest.ConnectAsync(mosquitto.Options() with
        {
            Will = new MqttWill(willTopic, MqttTest.Utf8("gateway offline"), MqttQos.AtLeastOnce, Retain: false),
        });

        doomed.Abort();
        var will = await subscriber.NextMessageAsync();

        Assert.Equal("gateway offline", will.Text());
        Assert.Equal(MqttQos.AtLeastOnce, will.Qos);
    }

    [Fact]
    public async Task Will_IsNotPublished_AfterCleanDisconnect()
    {
        var willTopic = MqttTest.Topic("no-will");
        await using var subscriber = await MqttTest.SubscriberAsync(mosquitto.Options(), willTopic);
        var polite = await MqttTest.ConnectAsync(mosquitto.Options() with { Will = new MqttWill(willTopic, MqttTest.Utf8("offline")) });

        await polite.DisposeAsync();

        Assert.True(await subscriber.StaysQuietAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Connect_WithRightPassword_IsAccepted()
    {
        await using var connection = await MqttTest.ConnectAsync(mosquitto.Options(mosquitto.Broker.AuthPort) with
        {
            UserName = MosquittoFixture.UserName,
            Password = MosquittoFixture.Password,
        });

        var result = await connection.PublishAsync(MqttTest.Topic("auth"), MqttTest.Utf8("in"), MqttQos.AtLeastOnce, cancellationToken: Token);

        Assert.Equal(MqttConnectionState.Connected, connection.State);
        Assert.Equal(MqttQos.AtLeastOnce, result.Qos);
    }

    [Fact]
    public async Task Connect_WithWrongPassword_IsRefusedWithClearReasonAndNoPassword()
    {
        const string wrong = "not-the-password-7731";
        await using var connection = new MqttConnection(mosquitto.Options(mosquitto.Broker.AuthPort) with
        {
            UserName = MosquittoFixture.UserName,
            Password = wrong,
        });

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(Token));

        // Mosquitto 2 answers a wrong password with "not authorized" (5), not "bad username or password" (4).
        Assert.Equal(MqttConnectReason.NotAuthorized, error.Reason);
        Assert.Contains("refused the connection: not authorized", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
    }

    [Fact]
    public async Task Connect_AnonymousWhereLoginIsRequired_IsNotAuthorized()
    {
        await using var connection = new MqttConnection(mosquitto.Options(mosquitto.Broker.AuthPort));

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(Token));

        Assert.Equal(MqttConnectReason.NotAuthorized, error.Reason);
    }

    [Fact]
    public async Task Connect_EmptyClientIdWithPersistentSession_IsIdentifierRejected()
    {
        await using var connection = new MqttConnection(mosquitto.Options() with { ClientId = "", CleanSession = false });

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(Token));

        Assert.Equal(MqttConnectReason.IdentifierRejected, error.Reason);
        Assert.Contains("identifier rejected", error.Message);
    }

    [Fact]
    public async Task Tls_ServerIssuedByGivenCa_IsAcceptedAndCarriesMessages()
    {
        var topic = MqttTest.Topic("tls");
        MqttClientOptions Tls() => mosquitto.Options(mosquitto.Broker.TlsPort) with { Tls = new MqttTlsOptions { CaCertificate = mosquitto.Ca } };
        await using var subscriber = await MqttTest.SubscriberAsync(Tls(), topic);
        await using var publisher = await MqttTest.ConnectAsync(Tls());

        await publisher.PublishAsync(topic, MqttTest.Utf8("encrypted"), MqttQos.ExactlyOnce, cancellationToken: Token);

        Assert.Equal("encrypted", (await subscriber.NextMessageAsync()).Text());
    }

    [Fact]
    public async Task Tls_ServerNotTrustedBySystemStore_IsRefused()
    {
        await using var connection = new MqttConnection(mosquitto.Options(mosquitto.Broker.TlsPort) with { Tls = new MqttTlsOptions() });

        var error = await Assert.ThrowsAsync<MqttException>(() => connection.ConnectAsync(Token));

        Assert.Contains("certificate is not trusted (RemoteCertificateChainErrors)", error.Message);
    }

    [Fact]
    public async Task Tls_ServerIssuedByAnotherCa_IsRefused()
    {
        using var otherCa = TestCertificates.CreateCa("Someone Else's CA");
        await using var connection = new MqttConnection(mosquitto.Options(mosquitto.Broker.TlsPort) with { Tls = new MqttTlsOptions { CaCertificate = otherCa } });

        var error = await Assert.ThrowsAsync<MqttException>(() => connection.ConnectAsync(Token));

        Assert.Contains("not trusted", error.Message);
    }

    [Fact]
    public async Task Tls_WrongHostName_IsRefused()
    {
        await using var connection = new MqttConnection(mosquitto.Options(mosquitto.Broker.TlsPort) with
        {
            Tls = new MqttTlsOptions { CaCertificate = mosquitto.Ca, TargetHost = "broker.example.com" },
        });

        var error = await Assert.ThrowsAsync<MqttException>(() => connection.ConnectAsync(Token));

        Assert.Contains("RemoteCertificateNameMismatch", error.Message);
    }

    [Fact]
    public async Task Tls_ClientCertificate_IsAcceptedWhereTheBrokerRequiresOne()
    {
        var mutual = mosquitto.Options(mosquitto.Broker.MutualTlsPort) with
        {
            Tls = new MqttTlsOptions { CaCertificate = mosquitto.Ca, ClientCertificate = mosquitto.ClientCertificate },
        };
        await using var connection = await MqttTest.ConnectAsync(mutual);

        var result = await connection.PublishAsync(MqttTest.Topic("mtls"), MqttTest.Utf8("signed"), MqttQos.AtLeastOnce, cancellationToken: Token);
        await using var without = new MqttConnection(mutual with { Tls = mutual.Tls! with { ClientCertificate = null } });

        Assert.NotEqual(0, result.PacketId);
        await Assert.ThrowsAsync<MqttException>(() => without.ConnectAsync(Token));
    }
}
