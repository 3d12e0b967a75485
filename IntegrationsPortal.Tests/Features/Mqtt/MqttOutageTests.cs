using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Tests.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>Messages for an MQTT destination while its broker is down wait in the outbox and go out in order when it is back, each attempt recorded.</summary>
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
    public async Task BrokerDown_MessagesWaitInTheOutbox_AndAreDeliveredInOrderWhenItReturns()
    {
        var integration = await _harness.CreateAsync("mqtt", new()
        {
            ["host"] = _broker.Host, ["port"] = _broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["topic"] = "meters/{meter}", ["qos"] = "1",
        });
        await _broker.StopAsync();
        var messages = new List<Guid>();
        for (var i = 1; i <= 5; i++)
        {
            messages.Add(await _harness.EnqueueAsync(integration, $$"""{"meter":"m{{i}}","kwh":1.5}"""));
        }

        await _harness.DispatchAsync();
        // The first message is tried and fails; the ones behind it wait their turn instead of overtaking it.
        var first = await _harness.DetailAsync(messages[0]);
        Assert.Equal(DeliveryStatus.Failed, first.Message.Status);
        Assert.Equal("broker_unreachable", Assert.Single(first.Attempts).ErrorClass);
        foreach (var id in messages.Skip(1))
        {
            var waiting = await _harness.DetailAsync(id);
            Assert.Equal(DeliveryStatus.Pending, waiting.Message.Status);
            Assert.Empty(waiting.Attempts);
            Assert.Contains("earlier message", waiting.Message.LastError, StringComparison.Ordinal);
        }

        // Messages queued during the outage are due at once, yet still wait behind the first.
        for (var i = 6; i <= 10; i++)
        {
            messages.Add(await _harness.EnqueueAsync(integration, $$"""{"meter":"m{{i}}","kwh":1.5}"""));
        }

        Assert.Equal(0, await _harness.DispatchAsync());

        await _broker.StartAsync();
        await using var subscriber = await MqttSubscriber.StartAsync(_broker.Host, _broker.Port, "meters/+");
        _harness.Clock.Advance(TimeSpan.FromSeconds(10)); // past the 5 s second attempt of the default schedule
        await _harness.DispatchAsync();

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
            var detail = await _harness.DetailAsync(messages[i]);
            Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
            Assert.Equal(i == 0 ? 2 : 1, detail.Attempts.Count);
        }
    }

    [Fact]
    public async Task BrokerRestarted_AfterADelivery_TheNextMessageGoesOutOnANewConnection()
    {
        var integration = await _harness.CreateAsync("mqtt", new()
        {
            ["host"] = _broker.Host, ["port"] = _broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["topic"] = "meters/{meter}", ["qos"] = "1",
        });
        await using (var before = await MqttSubscriber.StartAsync(_broker.Host, _broker.Port, "meters/+"))
        {
            await _harness.EnqueueAsync(integration, """{"meter":"m1"}""");
            await _harness.DispatchAsync();
            Assert.Equal("meters/m1", (await before.NextMessageAsync()).Topic);
        }

        await _broker.StopAsync();
        await _broker.StartAsync();
        await using var after = await MqttSubscriber.StartAsync(_broker.Host, _broker.Port, "meters/+");
        var second = await _harness.EnqueueAsync(integration, """{"meter":"m2"}""");
        await _harness.DispatchAsync();
        var detail = await _harness.DetailAsync(second);
        if (detail.Message.Status != DeliveryStatus.Delivered)
        {
            // The old link was not yet seen to be gone: that attempt fails as retryable, and the retry connects anew.
            Assert.Equal("broker_unreachable", Assert.Single(detail.Attempts).ErrorClass);
            _harness.Clock.Advance(TimeSpan.FromSeconds(10));
            await _harness.DispatchAsync();
            detail = await _harness.DetailAsync(second);
        }

        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.Equal("meters/m2", (await after.NextMessageAsync()).Topic);
    }
}
