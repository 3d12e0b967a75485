using IntegrationsPortal.Features.Mqtt;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>What a broker does that Mosquitto will not show on demand: refusals of every kind, a small Receive Maximum, quotas.</summary>
public class MqttScriptedBrokerTests
{
    private const string Password = "never-shown-9f3k";

    [Theory]
    [InlineData(MqttConnectReasonCode.BadUserNameOrPassword, "bad user name or password (reason code 0x86): check the username and password", false)]
    [InlineData(MqttConnectReasonCode.ClientIdentifierNotValid, "client identifier not valid (reason code 0x85): the client id is not allowed", false)]
    [InlineData(MqttConnectReasonCode.Banned, "banned (reason code 0x8A)", false)]
    [InlineData(MqttConnectReasonCode.ServerBusy, "server busy (reason code 0x89)", true)]
    [InlineData(MqttConnectReasonCode.QuotaExceeded, "quota exceeded (reason code 0x97)", true)]
    public async Task Connect_Refused_SaysWhyInWords_WithTheBrokersReasonString_AndNoPassword(MqttConnectReasonCode code, string words, bool transient)
    {
        await using var broker = new ScriptedBroker(async session =>
        {
            await session.ReceiveAsync<MqttConnectPacket>();
            await session.SendAsync(new MqttConnAckPacket { ReasonCode = code, ReasonString = "ask ops" });
        });

        var error = await Assert.ThrowsAsync<MqttConnectRefusedException>(() => MqttTest.ConnectAsync(broker.SettingsV5() with { UserName = "portal", Password = Password }));

        Assert.Equal((byte)code, error.ReasonCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.Contains($"refused the connection: {words}", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("; the broker says: ask ops.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_NeverHasMoreUnacknowledgedThanTheBrokersReceiveMaximum()
    {
        var held = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource<List<ushort>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broker = new ScriptedBroker(async session =>
        {
            await session.AcceptAsync(limits => limits.ReceiveMaximum = 3);
            var first = new List<MqttPublishPacket>();
            for (var i = 0; i < 3; i++)
            {
                first.Add(await session.ReceiveAsync<MqttPublishPacket>());
            }

            // A fourth would break the limit: none may come until one is acknowledged.
            held.SetResult(session.StaysQuiet(TimeSpan.FromMilliseconds(300)) ? first.Count : first.Count + 1);
            var ids = new List<ushort>();
            foreach (var publish in first)
            {
                await session.SendAsync(new MqttPubAckPacket { PacketIdentifier = publish.PacketIdentifier });
            }

            for (var i = 0; i < 3; i++)
            {
                var next = await session.ReceiveAsync<MqttPublishPacket>();
                ids.Add(next.PacketIdentifier);
                await session.SendAsync(new MqttPubAckPacket { PacketIdentifier = next.PacketIdentifier });
            }

            released.SetResult(ids);
            await session.GoSilentAsync();
        });
        await using var connection = await MqttTest.ConnectAsync(broker.SettingsV5());

        var publishes = Enumerable.Range(0, 6).Select(i => connection.PublishAsync($"meters/m{i}", MqttTest.Utf8("1.5"), MqttQualityOfServiceLevel.AtLeastOnce, ct: TestContext.Current.CancellationToken)).ToList();

        Assert.Equal(3, connection.ReceiveMaximum);
        Assert.Equal(3, await held.Task.WaitAsync(MqttTest.Patience, TestContext.Current.CancellationToken));
        Assert.Equal(3, (await released.Task.WaitAsync(MqttTest.Patience, TestContext.Current.CancellationToken)).Count);
        Assert.All(await Task.WhenAll(publishes), result => Assert.Equal((byte?)0x00, result.ReasonCode));
    }

    [Fact]
    public async Task Publish_PubAckQuotaExceeded_FailsThatMessageAsTransient()
    {
        await using var broker = new ScriptedBroker(async session =>
        {
            await session.AcceptAsync();
            var publish = await session.ReceiveAsync<MqttPublishPacket>();
            await session.SendAsync(new MqttPubAckPacket { PacketIdentifier = publish.PacketIdentifier, ReasonCode = MqttPubAckReasonCode.QuotaExceeded, ReasonString = "daily quota" });
            await session.GoSilentAsync();
        });
        await using var connection = await MqttTest.ConnectAsync(broker.SettingsV5());

        var error = await Assert.ThrowsAsync<MqttPublishRefusedException>(() =>
            connection.PublishAsync("meters/m1", MqttTest.Utf8("1.5"), MqttQualityOfServiceLevel.AtLeastOnce, ct: TestContext.Current.CancellationToken));

        Assert.True(error.IsTransient);
        Assert.Contains("refused the message to 'meters/m1': quota exceeded (reason code 0x97) in its PUBACK; the broker says: daily quota.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_BrokerAllowsOnlyQos1AndNoRetain_IsRefusedWithoutSending()
    {
        await using var broker = new ScriptedBroker(async session =>
        {
            await session.AcceptAsync(limits =>
            {
                limits.MaximumQoS = MqttQualityOfServiceLevel.AtLeastOnce;
                limits.RetainAvailable = false;
            });
            // The next thing the portal sends is its DISCONNECT when the test ends: neither message went out.
            Assert.IsType<MqttDisconnectPacket>(await session.ReceiveAsync<MqttPacket>());
        });
        await using var connection = await MqttTest.ConnectAsync(broker.SettingsV5());

        var qos2 = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => connection.PublishAsync("t", MqttTest.Utf8("x"), MqttQualityOfServiceLevel.ExactlyOnce, ct: TestContext.Current.CancellationToken));
        var retained = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => connection.PublishAsync("t", MqttTest.Utf8("x"), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, ct: TestContext.Current.CancellationToken));

        Assert.Equal(0x9B, qos2.ReasonCode);
        Assert.Contains("accepts at most QoS 1", qos2.Message, StringComparison.Ordinal);
        Assert.Equal(0x9A, retained.ReasonCode);
        Assert.Contains("does not keep retained messages", retained.Message, StringComparison.Ordinal);
    }
}
