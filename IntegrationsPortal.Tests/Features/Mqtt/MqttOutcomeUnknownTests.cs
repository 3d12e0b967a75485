using System.Globalization;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Tests.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>
/// A QoS 1 publish the broker does not acknowledge in time, against a real Mosquitto frozen with
/// SIGSTOP: the broker may still deliver it, so the history says "outcome unknown", not failed, and
/// the retry goes out marked DUP.
/// </summary>
public sealed class MqttOutcomeUnknownTests : MqttDeliveryTest
{
    protected override Dictionary<string, string?> Settings => new() { ["Portal:Delivery:MqttPublishTimeout"] = "00:00:02" };

    [Fact]
    public async Task UnacknowledgedPublish_IsOutcomeUnknown_ThenRetriedMarkedDup()
    {
        var integration = await Harness.CreateAsync("mqtt", new()
        {
            ["host"] = Broker.Host, ["port"] = Broker.Port.ToString(CultureInfo.InvariantCulture), ["topic"] = "meters/{meter}", ["qos"] = "1",
        });
        await using var subscriber = await MqttSubscriber.StartAsync(Broker.Host, Broker.Port, "meters/+");
        // The connection is open before the broker hangs: the publish itself goes unanswered.
        await Harness.EnqueueAsync(integration, """{"meter":"m1","kwh":1.5}""");
        await Harness.DispatchAsync();
        Assert.Equal("meters/m1", (await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20))).Topic);

        await Broker.PauseAsync();
        var message = await Harness.EnqueueAsync(integration, """{"meter":"m2","kwh":2.5}""");
        await Harness.DispatchAsync();

        var unknown = await Harness.DetailAsync(message);
        var attempt = Assert.Single(unknown.Attempts);
        Assert.True(unknown.Message.Status == DeliveryStatus.Unknown, $"{unknown.Message.Status}: {attempt.ErrorClass} {attempt.ErrorMessage}");
        Assert.True(unknown.Message.WaitsForRetry);
        Assert.Equal("outcome_unknown", attempt.ErrorClass);
        Assert.StartsWith("Outcome unknown: the broker did not acknowledge within 2 s", attempt.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("PUBLISH QoS 1", attempt.Method);

        // The broker wakes up and delivers what it had: the "failed" message was in fact delivered.
        await Broker.ResumeAsync();
        Assert.Equal("meters/m2", (await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20))).Topic);

        Harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await Harness.DispatchAsync();

        var retried = await Harness.DetailAsync(message);
        Assert.Equal(DeliveryStatus.Delivered, retried.Message.Status);
        Assert.Equal("PUBLISH QoS 1 DUP", retried.Attempts[^1].Method);
    }
}
