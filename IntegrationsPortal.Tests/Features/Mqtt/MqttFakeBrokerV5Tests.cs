using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>MQTT 5.0 behaviour a real broker will not show on demand: every CONNACK refusal, flow control, broker DISCONNECT, bad properties.</summary>
public class MqttFakeBrokerV5Tests
{
    private const string Password = "never-shown-v5-2k9d";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static MqttClientOptions V5(FakeBroker broker) => broker.Options() with { ProtocolVersion = MqttProtocolVersion.V500 };

    [Theory]
    [InlineData(0x86, MqttConnectReason.BadUserNameOrPassword, "bad user name or password (reason code 0x86)", false)]
    [InlineData(0x87, MqttConnectReason.NotAuthorized, "not authorized (reason code 0x87)", false)]
    [InlineData(0x85, MqttConnectReason.IdentifierRejected, "client identifier not valid (reason code 0x85)", false)]
    [InlineData(0x84, MqttConnectReason.UnacceptableProtocolVersion, "unsupported protocol version (reason code 0x84)", false)]
    [InlineData(0x8A, MqttConnectReason.Banned, "banned (reason code 0x8A)", false)]
    [InlineData(0x97, MqttConnectReason.QuotaExceeded, "quota exceeded (reason code 0x97)", true)]
    [InlineData(0x89, MqttConnectReason.ServerBusy, "server busy (reason code 0x89)", true)]
    public async Task Connect_RefusedWithReasonCode_ThrowsItInWordsWithTheReasonStringAndNoPassword(
        byte code, MqttConnectReason reason, string words, bool transient)
    {
        await using var broker = new FakeBroker(async session =>
        {
            await session.ReceiveAsync<ConnectPacket>();
            await session.SendAsync(new ConnAckPacket(false, code, new MqttProperties { ReasonString = "see the broker log" }));
        });
        await using var connection = new MqttConnection(V5(broker) with { UserName = "portal", Password = Password });

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(Token));

        Assert.Equal(code, error.ReasonCode);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(transient, error.IsTransient);
        Assert.Contains($"refused the connection: {words}; the broker says: see the broker log.", error.Message);
        Assert.DoesNotContain(Password, error.ToString());
    }

    [Fact]
    public async Task Connect_311OnlyBroker_AnswersAV5Connect_IsUnsupportedProtocolVersion()
    {
        await using var broker = new FakeBroker(async session =>
        {
            await session.ReceiveAsync<ConnectPacket>();
            await session.SendRawAsync([0x20, 0x02, 0x00, 0x01]);
        });
        await using var connection = new MqttConnection(V5(broker));

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(Token));

        Assert.Equal(MqttConnectReason.UnacceptableProtocolVersion, error.Reason);
        Assert.Contains("unsupported protocol version (reason code 0x84)", error.Message);
    }

    [Theory]
    [InlineData(true, null, null)]
    [InlineData(false, null, uint.MaxValue)]
    [InlineData(false, 3600, 3600u)]
    public async Task Connect_SendsLevel5_AndSessionExpiryOnlyForAPersistentSession(bool cleanSession, int? expirySeconds, uint? expected)
    {
        // The broker answers CONNACK inside AcceptConnectAsync, so the client can be connected before the packet is handed over.
        var received = new TaskCompletionSource<ConnectPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broker = new FakeBroker(async session =>
        {
            received.TrySetResult(await FakeBroker.AcceptConnectAsync(session));
            await session.GoSilentAsync();
        });
        await using var connection = new MqttConnection(V5(broker) with
        {
            CleanSession = cleanSession,
            SessionExpiry = expirySeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            MaxIncomingPacketSize = 65_536,
        });

        await connection.ConnectAsync(Token);

        var connect = await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(MqttProtocolVersion.V500, connect.ProtocolVersion);
        Assert.Equal(cleanSession, connect.CleanSession);
        Assert.Equal(expected, connect.Properties!.SessionExpiryInterval);
        Assert.Equal(65_536u, connect.Properties.MaximumPacketSize);
    }

    [Fact]
    public async Task Publish_NeverHasMoreUnacknowledgedThanTheBrokersReceiveMaximum()
    {
        const int Count = 5;
        var quietWhileFull = new List<bool>();
        await using var broker = new FakeBroker(async session =>
        {
            await FakeBroker.AcceptConnectAsync(session, new MqttProperties { ReceiveMaximum = 2 });
            var unacknowledged = new Queue<PublishPacket>();
            var received = 0;
            while (received < Count || unacknowledged.Count > 0)
            {
                if (unacknowledged.Count == 2 || received == Count)
                {
                    if (unacknowledged.Count == 2)
                    {
                        // Two out, none acknowledged: a third now would break the broker's Receive Maximum.
                        quietWhileFull.Add(await session.StaysQuietAsync(TimeSpan.FromMilliseconds(150)));
                    }

                    await session.SendAsync(new PacketIdPacket(MqttPacketType.PubAck, unacknowledged.Dequeue().PacketId));
                    continue;
                }

                unacknowledged.Enqueue(await session.ReceiveAsync<PublishPacket>());
                received++;
            }

            await session.GoSilentAsync();
        });
        await using var connection = new MqttConnection(V5(broker));
        await connection.ConnectAsync(Token);

        var results = await Task.WhenAll(Enumerable.Range(0, Count).Select(i =>
            connection.PublishAsync("meters/m-1", MqttTest.Utf8($"m{i}"), MqttQos.AtLeastOnce, cancellationToken: Token))).WaitAsync(MqttTest.Patience, Token);

        Assert.Equal(2, connection.ServerLimits.ReceiveMaximum);
        Assert.All(results, r => Assert.Equal((byte?)0, r.ReasonCode));
        Assert.NotEmpty(quietWhileFull);
        Assert.All(quietWhileFull, Assert.True);
    }

    [Fact]
    public async Task Publish_BrokerAllowsOnlyQos1AndNoRetain_RefusesWithoutSending()
    {
        var sentAnything = false;
        await using var broker = new FakeBroker(async session =>
        {
            await FakeBroker.AcceptConnectAsync(session, new MqttProperties { MaximumQos = 1, RetainAvailable = 0, MaximumPacketSize = 100 });
            sentAnything = !await session.StaysQuietAsync(TimeSpan.FromMilliseconds(400));
            await session.GoSilentAsync();
        });
        await using var connection = new MqttConnection(V5(broker) with { KeepAlive = TimeSpan.Zero });
        await connection.ConnectAsync(Token);

        var qos = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => connection.PublishAsync("a/b", MqttTest.Utf8("x"), MqttQos.ExactlyOnce, cancellationToken: Token));
        var retain = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => connection.PublishAsync("a/b", MqttTest.Utf8("x"), MqttQos.AtLeastOnce, retain: true, Token));
        var size = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => connection.PublishAsync("a/b", new byte[200], MqttQos.AtLeastOnce, cancellationToken: Token));
        await Task.Delay(500, Token);

        Assert.Contains("accepts at most QoS 1; this message asks for QoS 2", qos.Message);
        Assert.Equal(0x9B, qos.ReasonCode);
        Assert.Contains("does not keep retained messages", retain.Message);
        Assert.Contains("accepts packets of at most 100 bytes", size.Message);
        Assert.False(sentAnything);
    }

    [Fact]
    public async Task Publish_PubAckNoMatchingSubscribers_IsASuccessThatSaysSo()
    {
        await using var broker = new FakeBroker(FakeBroker.AnswerFirst<PublishPacket>(
            p => new PacketIdPacket(MqttPacketType.PubAck, p.PacketId, 0x10), _ => { }));
        await using var connection = new MqttConnection(V5(broker));
        await connection.ConnectAsync(Token);

        var result = await connection.PublishAsync("a/b", MqttTest.Utf8("x"), MqttQos.AtLeastOnce, cancellationToken: Token);

        Assert.Equal((byte?)0x10, result.ReasonCode);
        Assert.EndsWith(": no matching subscribers (reason code 0x10)", result.Acknowledgement);
    }

    [Fact]
    public async Task Publish_PubAckQuotaExceeded_FailsThatMessageAsTransient()
    {
        await using var broker = new FakeBroker(FakeBroker.AnswerFirst<PublishPacket>(
            p => new PacketIdPacket(MqttPacketType.PubAck, p.PacketId, 0x97, new MqttProperties { ReasonString = "daily quota used" }), _ => { }));
        await using var connection = new MqttConnection(V5(broker));
        await connection.ConnectAsync(Token);

        var error = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => connection.PublishAsync("a/b", MqttTest.Utf8("x"), MqttQos.AtLeastOnce, cancellationToken: Token));

        Assert.True(error.IsTransient);
        Assert.Contains("quota exceeded (reason code 0x97) in its PUBACK; the broker says: daily quota used.", error.Message);
        Assert.Equal(MqttConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task BrokerDisconnect_WithReasonCode_IsShownInTheError()
    {
        await using var broker = new FakeBroker(
            async session =>
            {
                await FakeBroker.AcceptConnectAsync(session);
                await session.SendAsync(new DisconnectPacket(0x98, new MqttProperties { ReasonString = "maintenance at 02:00" }));
            },
            session => session.GoSilentAsync());
        await using var connection = new MqttConnection(V5(broker));
        var dropped = new TaskCompletionSource<MqttDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Disconnected += (_, e) => dropped.TrySetResult(e);

        await connection.ConnectAsync(Token);
        var disconnected = await dropped.Task.WaitAsync(MqttTest.Patience, Token);

        Assert.Contains("closed the connection: administrative action (reason code 0x98); the broker says: maintenance at 02:00.", disconnected.Reason.Message);
        Assert.True(disconnected.WillReconnect);
    }

    [Theory]
    // A PUBACK with two Reason Strings (a protocol error), and one with a property length past its end (malformed).
    [InlineData(new byte[] { 0x40, 0x0C, 0x00, 0x01, 0x00, 0x08, 0x1F, 0x00, 0x01, (byte)'a', 0x1F, 0x00, 0x01, (byte)'b' }, 0x82, "appears twice")]
    [InlineData(new byte[] { 0x40, 0x06, 0x00, 0x01, 0x00, 0x05, 0x1F, 0x00 }, 0x81, "runs past the end")]
    [InlineData(new byte[] { 0x40, 0x06, 0x00, 0x01, 0x00, 0x02, 0x7E, 0x00 }, 0x81, "unknown property identifier 0x7E")]
    public async Task BrokerSendsBadProperties_ClientSaysWhyInADisconnect_AndReportsAProtocolError(byte[] bad, byte expectedReason, string message)
    {
        var clientSaid = new TaskCompletionSource<DisconnectPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broker = new FakeBroker(
            async session =>
            {
                await FakeBroker.AcceptConnectAsync(session);
                await session.SendRawAsync(bad);
                clientSaid.TrySetResult(await session.ReceiveAsync<DisconnectPacket>());
            },
            session => session.GoSilentAsync());
        await using var connection = new MqttConnection(V5(broker));
        var dropped = new TaskCompletionSource<MqttException>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Disconnected += (_, e) => dropped.TrySetResult(e.Reason);

        await connection.ConnectAsync(Token);
        var disconnect = await clientSaid.Task.WaitAsync(MqttTest.Patience, Token);
        var reason = await dropped.Task.WaitAsync(MqttTest.Patience, Token);

        Assert.Equal(expectedReason, disconnect.ReasonCode);
        Assert.Contains(message, Assert.IsType<MqttProtocolException>(reason).Message);
    }
}
