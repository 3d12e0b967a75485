using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Flows.Components;
using IntegrationsPortal.Features.Flows.Pages;
using IntegrationsPortal.Tests.Components;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>The flows list and an integration's "flows using it" in bunit, on the real flow services and runner.</summary>
public sealed class FlowsPageTests : WorldComponentTest<FlowTestBed>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private LoopbackReceiver _receiver = default!;
    private AsyncServiceScope _scope;
    private IRenderedComponent<MudDialogProvider>? _dialogs;

    protected override async Task<FlowTestBed> StartAsync()
    {
        _receiver = await LoopbackReceiver.StartAsync();
        return await FlowTestBed.StartAsync();
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await _scope.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task List_ShowsEachFlowAtAGlance_AndCountsARunAsItIsRecorded()
    {
        var primary = await World.ActiveWebhookAsync(_receiver, "Primary");
        await World.DeployAsync(FlowTestBed.MeterThroughFunction(World.Meter, FlowTestBed.Double, primary));
        var page = RenderPage(PortalRoles.Operator);

        page.WaitForElement("[data-testid=flows-table]");
        Assert.Equal("Meters out", page.Find("[data-testid=flow-name]").TextContent.Trim());
        Assert.Equal("deployed", page.Find("[data-testid=flow-state]").TextContent.Trim());
        Assert.Equal("v1", page.Find("[data-testid=flow-version]").TextContent.Trim());
        Assert.Equal("Main meter", page.Find("[data-testid=flow-sources]").TextContent.Trim());
        Assert.Equal("Primary", page.Find("[data-testid=flow-destinations]").TextContent.Trim());
        Assert.Equal("never", page.Find("[data-testid=flow-last-run]").TextContent.Trim());
        Assert.Equal("0 runs", page.Find("[data-testid=flow-today]").TextContent.Trim());

        await World.ArriveAsync([World.Reading(1.5)], ct: Xunit.TestContext.Current.CancellationToken);

        page.WaitForAssertion(() => Assert.Equal("1 run", page.Find("[data-testid=flow-today]").TextContent.Trim()), Patience);
        Assert.Equal("2026-03-01 08:00", page.Find("[data-testid=flow-last-run]").TextContent.Trim());
        Assert.Equal(string.Join(',', Enumerable.Repeat(0, 13).Append(1)), page.Find("[data-testid=flow-sparkline]").GetAttribute("data-values"));
        Assert.Equal($"/flows/{(await World.FlowsAsync(f => f.ListAsync())).Single().Id}/edit", page.Find("[data-testid=flow-edit]").GetAttribute("href"));
    }

    [Fact]
    public async Task NewFlow_CreatesADraft_AndOpensItInTheEditor()
    {
        var page = RenderPage(PortalRoles.Operator);
        page.WaitForElement("[data-testid=new-flow]");

        page.Find("[data-testid=new-flow]").Click();

        page.WaitForAssertion(() => Assert.EndsWith("/edit", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal), Patience);
        var created = Assert.Single(await World.FlowsAsync(f => f.ListAsync()));
        Assert.Equal(("New flow", FlowState.Draft), (created.Name, created.State));
        Assert.EndsWith($"/flows/{created.Id}/edit", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disable_AndDelete_AskFirst_ThenChangeTheFlowAndTheList()
    {
        var primary = await World.ActiveWebhookAsync(_receiver, "Primary");
        var flow = await World.DeployAsync(FlowTestBed.MeterThroughFunction(World.Meter, FlowTestBed.Double, primary));
        var page = RenderPage(PortalRoles.Operator);
        var dialogs = _dialogs!;
        page.WaitForElement("[data-testid=flows-table]");

        await page.InvokeAsync(() => page.Find("[data-testid=flows-table] input[type=checkbox]").Change(false));
        dialogs.WaitForAssertion(() => Assert.Contains("Disable 'Meters out'?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Disable").Click();

        page.WaitForAssertion(() => Assert.Equal("disabled", page.Find("[data-testid=flow-state]").TextContent.Trim()), Patience);
        Assert.Equal(FlowState.Disabled, (await World.FlowsAsync(f => f.GetAsync(flow))).State);

        page.Find("[data-testid=flow-delete]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Delete 'Meters out'?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=flows-table]")), Patience);
        Assert.Contains("No flows yet", page.Markup, StringComparison.Ordinal);
        Assert.Empty(await World.FlowsAsync(f => f.ListAsync()));
    }

    [Fact]
    public async Task Viewer_SeesTheFlows_ButNoNewSwitchOrDelete()
    {
        var primary = await World.ActiveWebhookAsync(_receiver, "Primary");
        await World.DeployAsync(FlowTestBed.MeterThroughFunction(World.Meter, FlowTestBed.Double, primary));

        var page = RenderPage(PortalRoles.Viewer);

        page.WaitForElement("[data-testid=flows-table]");
        Assert.Equal("deployed", page.Find("[data-testid=flow-state]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=new-flow]"));
        Assert.Empty(page.FindAll("[data-testid=flow-delete]"));
        Assert.Empty(page.FindAll("input[type=checkbox]"));
    }

    [Fact]
    public async Task IntegrationPage_ListsTheFlowsThatUseIt_LinkedToTheirEditor()
    {
        var primary = await World.ActiveWebhookAsync(_receiver, "Primary");
        var unused = await World.ActiveWebhookAsync(_receiver, "Unused");
        var flow = await World.DeployAsync(FlowTestBed.MeterThroughFunction(World.Meter, FlowTestBed.Double, primary));
        UseFlows(PortalRoles.Viewer);

        var used = Render<FlowsUsingIntegration>(p => p.Add(x => x.IntegrationId, primary));
        var none = Render<FlowsUsingIntegration>(p => p.Add(x => x.IntegrationId, unused));

        used.WaitForElement("[data-testid=flow-use]");
        Assert.Contains("Meters out (deployed)", used.Find("[data-testid=flow-use]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"/flows/{flow}/edit", used.Find("[data-testid=flow-use]").GetAttribute("href") ?? used.Find("[data-testid=flow-use] a").GetAttribute("href"));
        none.WaitForElement("[data-testid=no-flows]");
    }

    [Fact]
    public async Task IntegrationPage_ListsAFlowThatReachesItThroughACapability_MarkedAsSuch()
    {
        var primary = await World.ActiveWebhookAsync(_receiver, "Primary");
        var backup = await World.ActiveWebhookAsync(_receiver, "Backup");
        var unrouted = await World.ActiveWebhookAsync(_receiver, "Not in a rule");
        await World.RuleAsync(Capabilities.Notify, primary, fallback: backup);
        var flow = await World.DeployAsync(World.MeterToCapability(Capabilities.Notify), "Notify meters");
        UseFlows(PortalRoles.Viewer);

        var first = Render<FlowsUsingIntegration>(p => p.Add(x => x.IntegrationId, primary));
        var fallback = Render<FlowsUsingIntegration>(p => p.Add(x => x.IntegrationId, backup));
        var none = Render<FlowsUsingIntegration>(p => p.Add(x => x.IntegrationId, unrouted));

        foreach (var used in new[] { first, fallback })
        {
            used.WaitForElement("[data-testid=flow-use]");
            Assert.Equal("Notify meters (deployed), via capability notify", used.Find("[data-testid=flow-use]").TextContent.Trim());
            Assert.Equal($"/flows/{flow}/edit", used.Find("[data-testid=flow-use]").GetAttribute("href") ?? used.Find("[data-testid=flow-use] a").GetAttribute("href"));
        }

        none.WaitForElement("[data-testid=no-flows]");
    }

    private IRenderedComponent<FlowsPage> RenderPage(string role)
    {
        UseFlows(role);
        _dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        return Render<FlowsPage>();
    }

    private void UseFlows(string role)
    {
        SignIn(role);
        _scope = World.Services.AsUser(World.Harness.Tenant.OrganizationId, World.Harness.Tenant.AdminUserId, World.Harness.Tenant.AdminEmail, role);
        Use(_scope.ServiceProvider, typeof(FlowService), typeof(FlowEvents));
    }
}
