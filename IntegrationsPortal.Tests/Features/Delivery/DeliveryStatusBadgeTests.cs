using Bunit;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Components;
using IntegrationsPortal.Tests.Components;

namespace IntegrationsPortal.Tests.Features.Delivery;

public sealed class DeliveryStatusBadgeTests : ComponentTest
{
    [Theory]
    [InlineData(DeliveryStatus.Pending, "pending", "info")]
    [InlineData(DeliveryStatus.Delivered, "delivered", "success")]
    [InlineData(DeliveryStatus.Failed, "failed", "warning")]
    [InlineData(DeliveryStatus.Dead, "dead", "error")]
    public void Badge_NamesTheStatusInWords_AndColoursIt(DeliveryStatus status, string text, string colour)
    {
        var badge = Render<DeliveryStatusBadge>(p => p.Add(x => x.Status, status)).Find("[data-testid=delivery-status]");

        Assert.Equal(text, badge.TextContent.Trim());
        Assert.Contains($"mud-chip-color-{colour}", badge.ClassName, StringComparison.Ordinal);
    }
}
