using System.Diagnostics;
using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>A broker of its own per test, because these stop, restart or freeze it.</summary>
public class MqttOutageTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BrokerRestart_QoS1PublishedAroundTheOutage_AllArrive()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSetup { Persistence = true });
        var topic = MqttTest.Topic("restart");
        // A persistent session, so the broker (which saves it on SIGTERM) queues what arrives while we are away.
        await using var subscriber = await MqttTest.SubscriberAsync(
            MqttTest.Options(broker.Host, broker.Port) with { ClientId = "restart-reader", CleanSession = false }, topic, MqttQos.AtLeastOnce);
        await using var publisher = await MqttTest.ConnectAsync(MqttTest.Options(broker.Host, broker.Port));
        var reconnects = 0;
        publisher.Disconnected += (_, _) => Interlocked.Increment(ref reconnects);

        // Ten publishers in parallel, 30 messages each, paced so the restart lands in the middle.
        var publishing = Task.WhenAll(Enumerable.Range(0, 10).Select(lane => Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                await publisher.PublishAsync(topic, MqttTest.Utf8($"{lane}-{i}"), MqttQos.AtLeastOnce, cancellationToken: Token);
                await Task.Delay(10, Token);
            }
        }, Token)));
        await MqttTest.EventuallyAsync(() => subscriber.Messages.Count > 50, "some messages went through before the outage");
        await broker.StopAsync();
        await Task.Delay(300, Token);
        await broker.StartAsync();
        await publishing.WaitAsync(MqttTest.Patience, Token);

        var received = new HashSet<string>();
        var clock = Stopwatch.StartNew();
        while (received.Count < 300 && clock.Elapsed < MqttTest.Patience)
        {
            received.Add((await subscriber.NextMessageAsync()).Text());
        }

        Assert.Equal(300, received.Count);
        Assert.True(reconnects >= 1);
        Assert.Equal(MqttConnectionState.Connected, publisher.State);
    }

    [Fact]
    public async Task KeepAlive_BrokerFrozen_IsDetectedAndRecoveredFrom()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var connection = await MqttTest.ConnectAsync(MqttTest.Options(broker.Host, broker.Port) with
        {
            KeepAlive = TimeSpan.FromMilliseconds(300),
            PingTimeout = TimeSpan.FromMilliseconds(500),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
        });
        var lost = new TaskCompletionSource<MqttDisconnectedEventArgs>();
        connection.Disconnected += (_, e) => lost.TrySetResult(e);

        await broker.PauseAsync();
        var disconnected = await lost.Task.WaitAsync(MqttTest.Patience, Token);
        await broker.ResumeAsync();
        var result = await connection.PublishAsync(MqttTest.Topic("after-freeze"), MqttTest.Utf8("back"), MqttQos.AtLeastOnce, cancellationToken: Token)
            .WaitAsync(MqttTest.Patience, Token);

        Assert.Contains("no PINGRESP within 0.5 s", disconnected.Reason.Message);
        Assert.NotEqual(0, result.PacketId);
    }
}
