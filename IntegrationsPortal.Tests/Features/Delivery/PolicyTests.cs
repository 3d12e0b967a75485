using Microsoft.Extensions.DependencyInjection;
using System.Net;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Tests.Features.Delivery;

public sealed class PolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.1.10", false)]
    [InlineData("169.254.169.254", false)] // cloud metadata
    [InlineData("100.100.100.200", false)]
    [InlineData("::1", false)]
    [InlineData("fd00:ec2::254", false)]
    [InlineData("fe80::1", false)]
    [InlineData("::ffff:127.0.0.1", false)] // IPv4-mapped loopback
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946", true)]
    public void OutboundPolicy_RefusesInnerNetworksByDefault(string address, bool allowed) =>
        Assert.Equal(allowed, new OutboundAddressPolicy(new OutboundPolicyOptions()).IsAllowed(IPAddress.Parse(address)));

    [Fact]
    public void OutboundPolicy_AllowlistOpensANetwork()
    {
        var policy = new OutboundAddressPolicy(new OutboundPolicyOptions { AllowedNetworks = ["10.1.0.0/16"] });
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.1.2.3")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.2.0.1")));
    }

    [Fact]
    public void RetryStrategy_FixedAndExponential_FollowTheIntegrationsSettings()
    {
        var failed = DeliveryOutcome.Fail(FailureKind.Retry, "status", "500");
        var random = new FixedRandom();

        var fixedPolicy = HttpIntegrationOptions.From(Http(new() { ["retry_strategy"] = "FIXED", ["retry_interval_seconds"] = "30", ["retry_max_attempts"] = "3" })).Retries;
        Assert.Equal(3, fixedPolicy.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), fixedPolicy.DelayAfter(2, failed, random));
        Assert.Null(fixedPolicy.DelayAfter(3, failed, random));

        var exponential = HttpIntegrationOptions.From(Http(new()
        {
            ["retry_strategy"] = "EXPONENTIAL", ["retry_interval_seconds"] = "10", ["retry_max_delay_seconds"] = "60", ["retry_max_attempts"] = "6",
        })).Retries;
        Assert.Equal([10, 20, 40, 60, 60], exponential.Delays.Select(d => d.TotalSeconds));

        Assert.Equal(1, HttpIntegrationOptions.From(Http(new() { ["retry_strategy"] = "NONE" })).Retries.MaxAttempts);
        Assert.Equal(RetryPolicy.DefaultDelays, HttpIntegrationOptions.From(Http([])).Retries.Delays);
    }

    [Fact]
    public async Task TestSend_OnAnIngressIntegration_IsRefused()
    {
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("open-meteo", []);
        var refusal = await Assert.ThrowsAsync<PortalException>(() =>
            harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().SendTestAsync(id, "{}")));
        Assert.Equal(PortalErrorKind.Conflict, refusal.Kind);
    }

    private static ConfiguredIntegration Http(Dictionary<string, string> properties) =>
        new(Guid.NewGuid(), CatalogService.Get("http"), properties, new Dictionary<string, string>(), 1, IntegrationStatus.Active);
}
