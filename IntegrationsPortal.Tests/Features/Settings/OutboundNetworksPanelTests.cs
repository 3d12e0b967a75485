using Bunit;
using IntegrationsPortal.Features.Settings.Pages;
using IntegrationsPortal.Infrastructure.Http;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Settings;

/// <summary>Settings shows, read-only, the networks a refused delivery's message tells the administrator to change.</summary>
public sealed class OutboundNetworksPanelTests : ComponentTest
{
    [Fact]
    public void AllowedNetworks_AreListed_WithTheSettingThatHoldsThem_AndNoInput()
    {
        Services.AddSingleton(new OutboundAddressPolicy(new OutboundPolicyOptions { AllowedNetworks = ["127.0.0.1/32", "10.20.0.0/16"] }));

        var panel = Render<OutboundNetworksPanel>();

        var list = panel.Find("[data-testid=outbound-networks-list]").TextContent;
        Assert.Contains("127.0.0.1/32", list, StringComparison.Ordinal);
        Assert.Contains("10.20.0.0/16", list, StringComparison.Ordinal);
        Assert.Contains("Portal:Delivery:AllowedNetworks", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("input"));
    }

    [Fact]
    public void NoAllowedNetworks_SaysOnlyPublicAddressesAreReached()
    {
        Services.AddSingleton(new OutboundAddressPolicy(new OutboundPolicyOptions()));

        var panel = Render<OutboundNetworksPanel>();

        Assert.Contains("only public addresses", panel.Find("[data-testid=outbound-networks-none]").TextContent, StringComparison.Ordinal);
    }
}
