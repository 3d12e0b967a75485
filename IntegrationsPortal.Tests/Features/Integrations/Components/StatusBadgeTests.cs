using Bunit;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Components;
using IntegrationsPortal.Tests.Components;

namespace IntegrationsPortal.Tests.Features.Integrations.Components;

public sealed class StatusBadgeTests : ComponentTest
{
    [Theory]
    [InlineData(IntegrationStatus.Active, "mud-chip-color-success", "Verified and in use")]
    [InlineData(IntegrationStatus.PendingVerify, "mud-chip-color-info", "Checking the credentials with the provider")]
    [InlineData(IntegrationStatus.Error, "mud-chip-color-error", "Needs attention: see the error on the detail page")]
    [InlineData(IntegrationStatus.Inactive, "mud-chip-color-default", "Disabled by an operator")]
    public void EachStatus_HasItsLabel_ColourAndExplanation(IntegrationStatus status, string colour, string tooltip)
    {
        var badge = Render<StatusBadge>(p => p.Add(x => x.Status, status)).Find("[data-testid=status-badge]");

        Assert.Equal(IntegrationLifecycle.Label(status), badge.TextContent.Trim());
        Assert.Contains(colour, badge.ClassList);
        Assert.Equal(tooltip, badge.GetAttribute("title"));
    }

    [Theory]
    [InlineData(IntegrationsPortal.Features.Catalog.IntegrationDirection.Ingress, "INGRESS", "Pulls data into the platform")]
    [InlineData(IntegrationsPortal.Features.Catalog.IntegrationDirection.Egress, "EGRESS", "Pushes notifications and data out")]
    public void DirectionBadge_SaysWhichWayDataGoes(IntegrationsPortal.Features.Catalog.IntegrationDirection direction, string text, string title)
    {
        var badge = Render<DirectionBadge>(p => p.Add(x => x.Direction, direction)).Find(".direction-badge");

        Assert.Equal(text, badge.TextContent.Trim());
        Assert.Equal(title, badge.GetAttribute("title"));
    }
}
