using System.Globalization;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Tests.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>
/// A QoS 1 publish the broker does not acknowledge in time, against a real Mosquitto frozen with
/// SIGSTOP: the broker may still deliver it, so the history says "outcome unknown", not failed, and
/// the retry goes out marked DUP.
/// </summary>
public sealed class MqttOutcomeUnknownTests : IAsyncLifetime
{
    private MosquittoBroker _broker = default!;
    private DeliveryHarness _harness = default!;

    public async ValueTask InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _harness = await DeliveryHarness.StartAsync(settings: new() { ["Portal:Delivery:MqttPublishTimeout"] = "00:00:02" });
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task UnacknowledgedPublish_IsOutcomeUnknown_ThenRetriedMarkedDup()
    {
        var integration = await _harness.CreateAsync("mqtt", new()
        {
            ["host"] = _broker.Host, ["port"] = _broker.Port.ToString(CultureInfo.InvariantCulture), ["topic"] = "meters/{meter}", ["qos"] = "1",
        });
        await using var subscriber = await MqttSubscriber.StartAsync(_broker.Host, _broker.Port, "meters/+");
        // The connection is open before the broker hangs: the publish itself goes unanswered.
        await _harness.EnqueueAsync(integration, """{"meter":"m1","kwh":1.5}""");
        await _harness.DispatchAsync();
        Assert.Equal("meters/m1", (await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20))).Topic);

        await _broker.PauseAsync();
        var message = await _harness.EnqueueAsync(integration, """{"meter":"m2","kwh":2.5}""");
        await _harness.DispatchAsync();

        var unknown = await _harness.DetailAsync(message);
        var attempt = Assert.Single(unknown.Attempts);
        Assert.True(unknown.Message.Status == DeliveryStatus.Unknown, $"{unknown.Message.Status}: {attempt.ErrorClass} {attempt.ErrorMessage}");
        Assert.True(unknown.Message.WaitsForRetry);
        Assert.Equal("outcome_unknown", attempt.ErrorClass);
        Assert.StartsWith("Outcome unknown: the broker did not acknowledge within 2 s", attempt.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("PUBLISH QoS 1", attempt.Method);

        // The broker wakes up and delivers what it had: the "failed" message was in fact delivered.
        await _broker.ResumeAsync();
        Assert.Equal("meters/m2", (await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20))).Topic);

        _harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await _harness.DispatchAsync();

        var retried = await _harness.DetailAsync(message);
        Assert.Equal(DeliveryStatus.Delivered, retried.Message.Status);
        Assert.Equal("PUBLISH QoS 1 DUP", retried.Attempts[^1].Method);
    }
}
