using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Flows.Pages;
using IntegrationsPortal.Tests.Components;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>The flow history page in bunit, on the real runner, outbox and dispatcher with loopback receivers.</summary>
public sealed class FlowHistoryPageTests : WorldComponentTest<FlowTestBed>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private LoopbackReceiver _primary = default!;
    private LoopbackReceiver _backup = default!;
    private AsyncServiceScope _scope;

    protected override async Task<FlowTestBed> StartAsync()
    {
        _primary = await LoopbackReceiver.StartAsync();
        _backup = await LoopbackReceiver.StartAsync();
        return await FlowTestBed.StartAsync();
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await _scope.DisposeAsync();
        await _primary.DisposeAsync();
        await _backup.DisposeAsync();
    }

    [Fact]
    public async Task Run_ShowsItsVersionInputFunctionOutputAndLogs_AndEachDestinationsDelivery()
    {
        await DeployToBothAsync();
        await World.ArriveAsync([World.Reading(1.5)], ct: Xunit.TestContext.Current.CancellationToken);
        await World.Harness.DispatchAsync();
        var (page, dialogs) = RenderPage();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=run-open]")), Patience);
        Assert.Equal("completed", page.Find("[data-testid=run-status]").TextContent.Trim());
        page.Find("[data-testid=run-open]").Click();

        page.WaitForElement("[data-testid=run-input]", Patience);
        Assert.Contains("\"value\":1.5", page.Find("[data-testid=run-input]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Meters out, version 1", page.Find("[data-testid=run-detail]").TextContent, StringComparison.Ordinal);
        var function = page.Find("[data-testid=run-step-function-1-0]");
        Assert.Contains("\"wh\":1500", function.QuerySelector("[data-testid=step-output]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("kwh 1.5", function.QuerySelector("[data-testid=step-logs]")!.TextContent.Trim());
        foreach (var node in new[] { "destination-1", "destination-2" })
        {
            Assert.Equal("delivered", page.Find($"[data-testid=run-step-{node}-0] [data-testid=delivery-status]").TextContent.Trim());
        }

        page.Find("[data-testid=run-step-destination-2-0] [data-testid=step-delivery]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Backup ·", dialogs.Markup, StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task NewRuns_AppearWithoutReload_AndTheStatusFilterNarrowsTheList()
    {
        var primary = await World.ActiveWebhookAsync(_primary, "Primary");
        await World.DeployAsync(FlowTestBed.MeterThroughFunction(World.Meter, "function transform(m) { if (m.value < 0) throw new Error('negative'); return m; }", primary));
        var (page, _) = RenderPage();
        page.WaitForElement("[data-testid=runs-none]", Patience);

        await World.ArriveAsync([World.Reading(2), World.Reading(-1, minute: 15)], ct: Xunit.TestContext.Current.CancellationToken);

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=run-status]").Count), Patience);
        var select = page.FindComponents<MudSelect<FlowRunStatus?>>().Single();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(FlowRunStatus.Failed));
        page.WaitForAssertion(() => Assert.Equal(["failed"], page.FindAll("[data-testid=run-status]").Select(e => e.TextContent.Trim())), Patience);
        Assert.Contains("negative", page.Find("[data-testid=runs-grid]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlowsOwnHistory_ShowsOnlyThatFlowsRuns()
    {
        var primary = await World.ActiveWebhookAsync(_primary, "Primary");
        var meters = await World.DeployAsync(FlowTestBed.MeterThroughFunction(World.Meter, FlowTestBed.Double, primary), "Meters out");
        await World.DeployAsync(FlowTestBed.MeterThroughFunction(World.Meter, FlowTestBed.Double, primary), "Copy");
        await World.ArriveAsync([World.Reading(3)], ct: Xunit.TestContext.Current.CancellationToken);

        var (page, _) = RenderPage(meters);

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=run-status]")), Patience);
        Assert.Contains("Meters out", page.Find("[data-testid=runs-grid] tbody").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Copy", page.Find("[data-testid=runs-grid] tbody").TextContent, StringComparison.Ordinal);
    }

    private async Task DeployToBothAsync()
    {
        var primary = await World.ActiveWebhookAsync(_primary, "Primary");
        var backup = await World.ActiveWebhookAsync(_backup, "Backup");
        await World.DeployAsync(FlowTestBed.MeterThroughFunction(World.Meter, FlowTestBed.Double, primary, backup));
    }

    private (IRenderedComponent<FlowHistoryPage> Page, IRenderedComponent<MudDialogProvider> Dialogs) RenderPage(Guid? flowId = null)
    {
        SignIn(PortalRoles.Viewer);
        _scope = World.Services.AsUser(World.Harness.Tenant.OrganizationId, World.Harness.Tenant.AdminUserId, World.Harness.Tenant.AdminEmail, PortalRoles.Viewer);
        Use(_scope.ServiceProvider, typeof(FlowService), typeof(FlowEvents), typeof(DeliveryService), typeof(DeliveryEvents));
        var dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        return (Render<FlowHistoryPage>(p => p.Add(x => x.FlowId, flowId)), dialogs);
    }
}
