using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>Behaviour a real broker will not show on demand: refusals of every kind, garbage, hangs, drops mid-exchange.</summary>
public class MqttFakeBrokerTests
{
    private const string Password = "never-shown-9f3k";

    [Theory]
    [InlineData(1, MqttConnectReason.UnacceptableProtocolVersion, "unacceptable protocol version")]
    [InlineData(2, MqttConnectReason.IdentifierRejected, "identifier rejected")]
    [InlineData(3, MqttConnectReason.ServerUnavailable, "server unavailable")]
    [InlineData(4, MqttConnectReason.BadUserNameOrPassword, "bad username or password")]
    [InlineData(5, MqttConnectReason.NotAuthorized, "not authorized")]
    public async Task Connect_Refused_ThrowsTheReasonWithoutThePassword(byte returnCode, MqttConnectReason reason, string message)
    {
        await using var broker = new FakeBroker(async session =>
        {
            await session.ReceiveAsync<ConnectPacket>();
            await session.SendAsync(new ConnAckPacket(false, returnCode));
        });
        await using var connection = new MqttConnection(broker.Options() with { UserName = "portal", Password = Password });

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(reason, error.Reason);
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain(Password, error.ToString());
        Assert.DoesNotContain(Password, connection.Options.ToString());
        Assert.Equal(MqttConnectionState.NotConnected, connection.State);
    }

    [Fact]
    public async Task Connect_BrokerClosesBeforeConnAck_ThrowsProtocolException()
    {
        await using var broker = new FakeBroker(session => session.ReceiveAsync<ConnectPacket>());
        await using var connection = new MqttConnection(broker.Options());

        var error = await Assert.ThrowsAsync<MqttProtocolException>(() => connection.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Contains("closed the connection before answering CONNECT", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x20, 0x80, 0x80, 0x80, 0x80, 0x01 }, "longer than 4 bytes")]
    [InlineData(new byte[] { 0xD0, 0x00 }, "PingResp instead of CONNACK")]
    [InlineData(new byte[] { 0x20, 0x05, 0x00 }, "in the middle of a packet")]
    [InlineData(new byte[] { 0xF0, 0x00 }, "reserved")]
    public async Task Connect_BrokerSendsGarbage_ThrowsProtocolException(byte[] answer, string reason)
    {
        await using var broker = new FakeBroker(async session =>
        {
            await session.ReceiveAsync<ConnectPacket>();
            await session.SendRawAsync(answer);
        });
        await using var connection = new MqttConnection(broker.Options());

        var error = await Assert.ThrowsAsync<MqttProtocolException>(() => connection.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task Connect_BrokerNeverAnswers_TimesOut()
    {
        await using var broker = new FakeBroker(session => session.GoSilentAsync());
        await using var connection = new MqttConnection(broker.Options() with { ConnectTimeout = TimeSpan.FromMilliseconds(300) });

        var error = await Assert.ThrowsAsync<MqttException>(() => connection.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Contains("did not accept the connection within 0.3 s", error.Message);
    }

    [Fact]
    public async Task KeepAlive_BrokerStopsAnswering_ConnectionIsReportedLost()
    {
        // Accepts CONNECT, then never answers PINGREQ: a hung broker with the TCP connection still open.
        await using var broker = new FakeBroker(async session =>
        {
            await FakeBroker.AcceptConnectAsync(session);
            await session.GoSilentAsync();
        });
        await using var connection = new MqttConnection(broker.Options() with
        {
            KeepAlive = TimeSpan.FromMilliseconds(200),
            PingTimeout = TimeSpan.FromMilliseconds(300),
        });
        var lost = new TaskCompletionSource<MqttDisconnectedEventArgs>();
        connection.Disconnected += (_, e) => lost.TrySetResult(e);
        await connection.ConnectAsync(TestContext.Current.CancellationToken);

        var disconnected = await lost.Task.WaitAsync(MqttTest.Patience, TestContext.Current.CancellationToken);

        Assert.Contains("no PINGRESP within 0.3 s", disconnected.Reason.Message);
        Assert.True(disconnected.WillReconnect);
    }

    [Fact]
    public async Task Publish_QoS1_UnacknowledgedWhenLinkDrops_IsResentWithDupAfterReconnect()
    {
        PublishPacket? first = null;
        PublishPacket? resent = null;
        await using var broker = new FakeBroker(
            async session =>
            {
                await FakeBroker.AcceptConnectAsync(session);
                first = await session.ReceiveAsync<PublishPacket>();
                // Drop without PUBACK.
            },
            FakeBroker.AnswerFirst<PublishPacket>(publish => new PacketIdPacket(MqttPacketType.PubAck, publish.PacketId), publish => resent = publish));
        await using var connection = await MqttTest.ConnectAsync(broker.Options());

        var result = await connection.PublishAsync("meters/1", MqttTest.Utf8("42"), MqttQos.AtLeastOnce, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(first!.Dup);
        Assert.True(resent!.Dup);
        Assert.Equal(first.PacketId, resent.PacketId);
        Assert.Equal("meters/1", resent.Topic);
        Assert.Equal(new MqttPublishResult(MqttQos.AtLeastOnce, first.PacketId), result);
    }

    [Fact]
    public async Task Publish_QoS2_LinkDropsAfterPubRec_ResendsPubRelNotThePublish()
    {
        PacketIdPacket? resent = null;
        await using var broker = new FakeBroker(
            async session =>
            {
                await FakeBroker.AcceptConnectAsync(session);
                var publish = await session.ReceiveAsync<PublishPacket>();
                await session.SendAsync(new PacketIdPacket(MqttPacketType.PubRec, publish.PacketId));
                await session.ReceiveAsync<PacketIdPacket>();
                // Drop without PUBCOMP: the broker has the message, the client must only release it.
            },
            FakeBroker.AnswerFirst<PacketIdPacket>(pubRel => new PacketIdPacket(MqttPacketType.PubComp, pubRel.PacketId), pubRel => resent = pubRel));
        await using var connection = await MqttTest.ConnectAsync(broker.Options());

        var result = await connection.PublishAsync("meters/2", MqttTest.Utf8("7"), MqttQos.ExactlyOnce, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(MqttPacketType.PubRel, resent!.Type);
        Assert.Equal(result.PacketId, resent.PacketId);
        Assert.Equal(2, broker.Connections);
    }

    [Fact]
    public async Task Broker_SendsUnexpectedPacket_LinkEndsWithProtocolException()
    {
        await using var broker = new FakeBroker(
            async session =>
            {
                await FakeBroker.AcceptConnectAsync(session);
                await session.SendAsync(new SubscribePacket(1, [new MqttSubscription("x", MqttQos.AtMostOnce)]));
                await session.GoSilentAsync();
            },
            session => session.GoSilentAsync());
        await using var connection = new MqttConnection(broker.Options());
        var lost = new TaskCompletionSource<MqttDisconnectedEventArgs>();
        connection.Disconnected += (_, e) => lost.TrySetResult(e);
        await connection.ConnectAsync(TestContext.Current.CancellationToken);

        var disconnected = await lost.Task.WaitAsync(MqttTest.Patience, TestContext.Current.CancellationToken);

        Assert.IsType<MqttProtocolException>(disconnected.Reason);
        Assert.Contains("unexpected Subscribe", disconnected.Reason.Message);
    }

    [Fact]
    public async Task Reconnect_RefusedForGood_FailsWaitingPublishesWithTheReason()
    {
        await using var broker = new FakeBroker(
            async session =>
            {
                await FakeBroker.AcceptConnectAsync(session);
                await session.ReceiveAsync<PublishPacket>();
            },
            async session =>
            {
                await session.ReceiveAsync<ConnectPacket>();
                await session.SendAsync(new ConnAckPacket(false, (byte)MqttConnectReason.NotAuthorized));
            });
        await using var connection = await MqttTest.ConnectAsync(broker.Options());

        var error = await Assert.ThrowsAsync<MqttConnectException>(() =>
            connection.PublishAsync("meters/3", MqttTest.Utf8("1"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(MqttConnectReason.NotAuthorized, error.Reason);
        Assert.Equal(MqttConnectionState.Closed, connection.State);
    }

    [Fact]
    public async Task Reconnect_BacksOffExponentiallyUpToTheMaximum()
    {
        var time = new ManualTimeProvider();
        // Accepted once and dropped at once; then "server unavailable", a refusal worth retrying, every time.
        await using var broker = new FakeBroker(
            session => FakeBroker.AcceptConnectAsync(session),
            async session =>
            {
                await session.ReceiveAsync<ConnectPacket>();
                await session.SendAsync(new ConnAckPacket(false, (byte)MqttConnectReason.ServerUnavailable));
            });
        await using var connection = new MqttConnection(broker.Options() with
        {
            KeepAlive = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromHours(1),
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
        }, time);
        await connection.ConnectAsync(TestContext.Current.CancellationToken);

        var waits = new List<double>();
        for (var attempts = 2; attempts <= 6; attempts++)
        {
            // Between attempts the only timer shorter than the connect timeout is the backoff.
            TimeSpan backoff = default;
            await MqttTest.EventuallyAsync(() => time.PendingTimers().Any(due => (backoff = due) < TimeSpan.FromHours(1)), "the connection waits to reconnect");
            waits.Add(backoff.TotalMilliseconds);
            time.Advance(backoff);
            await MqttTest.EventuallyAsync(() => broker.Connections == attempts, $"reconnect attempt {attempts}");
        }

        Assert.Equal([100, 200, 400, 400, 400], waits);
        Assert.Equal(MqttConnectionState.Reconnecting, connection.State);
        await MqttTest.EventuallyAsync(() => connection.LastError is MqttConnectException { Reason: MqttConnectReason.ServerUnavailable }, "the refusal is recorded");
    }

    [Fact]
    public void Options_PasswordWithoutUserName_IsRefusedWithoutShowingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new MqttConnection(MqttTest.Options("127.0.0.1", 1883) with { Password = Password }));

        Assert.Contains("needs a user name", error.Message);
        Assert.DoesNotContain(Password, error.ToString());
    }
}
