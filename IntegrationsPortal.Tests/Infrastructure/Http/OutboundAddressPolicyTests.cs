using System.Net.Sockets;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Tests.Infrastructure.Http;

/// <summary>What an operator reads when the policy refuses an address, and that nothing is dialled.</summary>
public sealed class OutboundAddressPolicyTests
{
    private static readonly OutboundAddressPolicy Shipped = new(new OutboundPolicyOptions());

    [Theory]
    [InlineData("10.0.0.5", "The address 10.0.0.5 is in a private network")]
    [InlineData("127.0.0.1", "The address 127.0.0.1 is in a loopback network")]
    [InlineData("[::1]", "The address ::1 is in a loopback network")]
    [InlineData("169.254.169.254", "The address 169.254.169.254 is in a cloud metadata service")]
    [InlineData("fd00:ec2::254", "The address fd00:ec2::254 is in a private network")]
    [InlineData("::ffff:10.0.0.5", "The address 10.0.0.5 is in a private network")] // IPv4-mapped: named as the IPv4 it is
    [InlineData("::ffff:169.254.169.254", "The address 169.254.169.254 is in a cloud metadata service")]
    public async Task RefusedAddress_IsNamed_WithTheSettingThatAllowsIt(string host, string expected)
    {
        var refused = await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => Shipped.ConnectAsync(host, 80, TestContext.Current.CancellationToken));

        Assert.Equal($"{expected}; an administrator can allow it with Portal:Delivery:AllowedNetworks.", refused.Message);
    }

    [Fact]
    public async Task RefusedHostName_NamesTheHostAndTheAddressItResolvedTo()
    {
        var refused = await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => Shipped.ConnectAsync("localhost", 80, TestContext.Current.CancellationToken));

        Assert.Matches(@"^The address (127\.0\.0\.1|::1) of 'localhost' is in a loopback network; an administrator can allow it with Portal:Delivery:AllowedNetworks\.$", refused.Message);
    }

    [Fact]
    public async Task AllowedNetwork_IsDialled()
    {
        using var counter = new ConnectionCounter();
        var policy = new OutboundAddressPolicy(new OutboundPolicyOptions { AllowedNetworks = ["127.0.0.1/32"] });

        using (var socket = await policy.ConnectAsync("127.0.0.1", counter.Url.Port, TestContext.Current.CancellationToken))
        {
            Assert.True(socket.Connected);
        }

        Assert.Equal(1, counter.Connections);
    }

    [Fact]
    public async Task RefusedAddress_IsNeverDialled()
    {
        using var counter = new ConnectionCounter();

        await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => Shipped.ConnectAsync("127.0.0.1", counter.Url.Port, TestContext.Current.CancellationToken));

        Assert.Equal(0, counter.Connections);
    }

    [Fact]
    public void Refusal_IsFoundInsideTheExceptionsHttpClientWrapsItIn()
    {
        var refused = new OutboundAddressRefusedException("10.0.0.5", System.Net.IPAddress.Parse("10.0.0.5"));

        Assert.Same(refused, OutboundAddressPolicy.FindRefusal(new HttpRequestException("wrapped", refused)));
        Assert.Null(OutboundAddressPolicy.FindRefusal(new HttpRequestException("other", new SocketException())));
    }
}
