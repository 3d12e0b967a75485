using Bunit;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Pages;
using IntegrationsPortal.Tests.Components;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Integrations.Components;

/// <summary>The integration's detail page in bunit on the real services: its header actions and the link to its type's help.</summary>
public sealed class IntegrationDetailPageTests : ComponentTest
{
    [Fact]
    public async Task Disable_AsksFirst_CancelKeepsItRunning_AndConfirmingDisablesIt()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var id = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.Webhook("Invoices hook"));
        var before = (await portal.Services.GetIntegrationAsync(acme, id)).Status;
        Assert.NotEqual(IntegrationStatus.Inactive, before);
        var dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        var page = Render<IntegrationDetailPage>(p => p.Add(x => x.Id, id));
        page.WaitForElement("[data-testid=disable]");

        page.Find("[data-testid=disable]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Disable 'Invoices hook'?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it running").Click();

        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Disable 'Invoices hook'?", dialogs.Markup, StringComparison.Ordinal));
        Assert.Equal(before, (await portal.Services.GetIntegrationAsync(acme, id)).Status);

        page.Find("[data-testid=disable]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Disable 'Invoices hook'?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Disable").Click();

        page.WaitForElement("[data-testid=activate]");
        Assert.Equal(IntegrationStatus.Inactive, (await portal.Services.GetIntegrationAsync(acme, id)).Status);
    }

    [Fact]
    public async Task TypeHelpLink_GoesToTheTypesOwnHelpPage()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var id = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.Webhook());

        var page = Render<IntegrationDetailPage>(p => p.Add(x => x.Id, id));

        var link = page.WaitForElement("[data-testid=type-help-link]");
        Assert.Equal("/catalog/webhook/help", link.GetAttribute("href"));
        Assert.StartsWith("Help for Webhook", link.TextContent.Trim(), StringComparison.Ordinal);
    }
}
