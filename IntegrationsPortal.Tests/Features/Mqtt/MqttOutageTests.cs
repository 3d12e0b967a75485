using System.Text;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Mqtt.Client;
using IntegrationsPortal.Tests.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>Messages for an MQTT destination while its broker is down wait in the outbox and go out when it is back, each attempt recorded.</summary>
public sealed class MqttOutageTests : IAsyncLifetime
{
    private MosquittoBroker _broker = default!;
    private DeliveryHarness _harness = default!;

    public async ValueTask InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _harness = await DeliveryHarness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task BrokerDown_MessagesWaitInTheOutbox_AndAreDeliveredWhenItReturns()
    {
        var integration = await _harness.CreateAsync("mqtt", new()
        {
            ["host"] = _broker.Host, ["port"] = _broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["topic"] = "meters/{meter}", ["qos"] = "1",
        });
        await _broker.StopAsync();
        var messages = new List<Guid>();
        foreach (var meter in new[] { "m1", "m2", "m3" })
        {
            messages.Add(await _harness.EnqueueAsync(integration, $$"""{"meter":"{{meter}}","kwh":1.5}"""));
        }

        await _harness.DispatchAsync();
        foreach (var id in messages)
        {
            var waiting = await _harness.DetailAsync(id);
            Assert.NotEqual(DeliveryStatus.Delivered, waiting.Message.Status);
            Assert.Equal("broker_unreachable", Assert.Single(waiting.Attempts).ErrorClass);
        }

        await _broker.StartAsync();
        await using var subscriber = new MqttConnection(new MqttClientOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "outage-reader" });
        await subscriber.ConnectAsync(TestContext.Current.CancellationToken);
        await subscriber.SubscribeAsync("meters/+", MqttQos.AtLeastOnce, TestContext.Current.CancellationToken);
        _harness.Clock.Advance(TimeSpan.FromSeconds(10)); // past the 5 s second attempt of the default schedule
        await _harness.DispatchAsync();

        var topics = new List<string>();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(20));
        while (topics.Count < 3)
        {
            var received = await subscriber.Messages.ReadAsync(wait.Token);
            Assert.Contains("1.5", Encoding.UTF8.GetString(received.Payload.Span), StringComparison.Ordinal);
            topics.Add(received.Topic);
        }

        Assert.Equal(["meters/m1", "meters/m2", "meters/m3"], topics.Order());
        foreach (var id in messages)
        {
            var detail = await _harness.DetailAsync(id);
            Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
            Assert.Equal(2, detail.Attempts.Count);
        }
    }
}
