using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Tests.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>Messages for an MQTT destination while its broker is down wait in the outbox and go out in order when it is back, each attempt recorded.</summary>
public sealed class MqttOutageTests : MqttDeliveryTest
{
    [Fact]
    public async Task BrokerDown_MessagesWaitInTheOutbox_AndAreDeliveredInOrderWhenItReturns()
    {
        var integration = await Harness.CreateAsync("mqtt", new()
        {
            ["host"] = Broker.Host, ["port"] = Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["topic"] = "meters/{meter}", ["qos"] = "1",
        });
        await Broker.StopAsync();
        var messages = new List<Guid>();
        for (var i = 1; i <= 5; i++)
        {
            messages.Add(await Harness.EnqueueAsync(integration, $$"""{"meter":"m{{i}}","kwh":1.5}"""));
        }

        await Harness.DispatchAsync();
        // The first message is tried and fails; the ones behind it wait their turn instead of overtaking it.
        var first = await Harness.DetailAsync(messages[0]);
        Assert.Equal(DeliveryStatus.Failed, first.Message.Status);
        Assert.Equal("broker_unreachable", Assert.Single(first.Attempts).ErrorClass);
        foreach (var id in messages.Skip(1))
        {
            var waiting = await Harness.DetailAsync(id);
            Assert.Equal(DeliveryStatus.Pending, waiting.Message.Status);
            Assert.Empty(waiting.Attempts);
            Assert.Contains("earlier message", waiting.Message.LastError, StringComparison.Ordinal);
        }

        // Messages queued during the outage are due at once, yet still wait behind the first.
        for (var i = 6; i <= 10; i++)
        {
            messages.Add(await Harness.EnqueueAsync(integration, $$"""{"meter":"m{{i}}","kwh":1.5}"""));
        }

        Assert.Equal(0, await Harness.DispatchAsync());

        await Broker.StartAsync();
        await using var subscriber = await MqttSubscriber.StartAsync(Broker.Host, Broker.Port, "meters/+");
        Harness.Clock.Advance(TimeSpan.FromSeconds(10)); // past the 5 s second attempt of the default schedule
        await Harness.DispatchAsync();

        var topics = new List<string>();
        while (topics.Count < messages.Count)
        {
            var received = await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20));
            Assert.Contains("1.5", received.Text, StringComparison.Ordinal);
            topics.Add(received.Topic);
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"meters/m{i}"), topics);
        for (var i = 0; i < messages.Count; i++)
        {
            var detail = await Harness.DetailAsync(messages[i]);
            Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
            Assert.Equal(i == 0 ? 2 : 1, detail.Attempts.Count);
        }
    }

    [Fact]
    public async Task BrokerRestarted_AfterADelivery_TheNextMessageGoesOutOnANewConnection()
    {
        var integration = await Harness.CreateAsync("mqtt", new()
        {
            ["host"] = Broker.Host, ["port"] = Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["topic"] = "meters/{meter}", ["qos"] = "1",
        });
        await using (var before = await MqttSubscriber.StartAsync(Broker.Host, Broker.Port, "meters/+"))
        {
            await Harness.EnqueueAsync(integration, """{"meter":"m1"}""");
            await Harness.DispatchAsync();
            Assert.Equal("meters/m1", (await before.NextMessageAsync()).Topic);
        }

        await Broker.StopAsync();
        await Broker.StartAsync();
        await using var after = await MqttSubscriber.StartAsync(Broker.Host, Broker.Port, "meters/+");
        var second = await Harness.EnqueueAsync(integration, """{"meter":"m2"}""");
        await Harness.DispatchAsync();
        var detail = await Harness.DetailAsync(second);
        if (detail.Message.Status != DeliveryStatus.Delivered)
        {
            // The old link was not yet seen to be gone: that attempt fails as retryable, and the retry connects anew.
            Assert.Equal("broker_unreachable", Assert.Single(detail.Attempts).ErrorClass);
            Harness.Clock.Advance(TimeSpan.FromSeconds(10));
            await Harness.DispatchAsync();
            detail = await Harness.DetailAsync(second);
        }

        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.Equal("meters/m2", (await after.NextMessageAsync()).Topic);
    }
}
