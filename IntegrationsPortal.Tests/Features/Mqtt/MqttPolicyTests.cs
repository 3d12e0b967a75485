using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Features.Delivery;
using IntegrationsPortal.Tests.Infrastructure;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>The MQTT connection goes through the outbound address policy: a broker on a refused address is never dialled.</summary>
public sealed class MqttPolicyTests : IAsyncLifetime
{
    // Stands in for a broker on the portal's own network.
    private readonly ConnectionCounter _listener = new();
    private DeliveryHarness _harness = default!;

    public async ValueTask InitializeAsync()
    {
        // No allowlist: loopback is refused, as in a default installation.
        _harness = await DeliveryHarness.StartAsync(allowLoopback: false);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task BrokerOnLoopback_WithoutAllowlist_IsNeverConnected_AndVerificationAndDeliveryShowTheRefusal()
    {
        var integration = await _harness.CreateAsync("mqtt", new()
        {
            ["host"] = "127.0.0.1", ["port"] = _listener.PortText,
            ["topic"] = "meters/{meter}", ["qos"] = "1",
        });

        var message = await _harness.EnqueueAsync(integration, """{"meter":"m1"}""");
        await _harness.DispatchAsync();
        var delivery = await _harness.DetailAsync(message);
        var verified = await _harness.VerifyAsync(integration);

        const string refusal = "The address 127.0.0.1 is in a loopback network; an administrator can allow it with Portal:Delivery:AllowedNetworks.";
        Assert.Equal(IntegrationStatus.Error, verified.Status);
        Assert.Equal(refusal, verified.LastError);
        var attempt = Assert.Single(delivery.Attempts);
        Assert.Equal("refused_address", attempt.ErrorClass);
        Assert.Equal(refusal, attempt.ErrorMessage);
        // Final, not retried as if the broker were down.
        Assert.Equal(DeliveryStatus.Dead, delivery.Message.Status);
        Assert.Null(attempt.NextAttemptAt);
        Assert.Equal(0, _listener.Connections);
    }
}
