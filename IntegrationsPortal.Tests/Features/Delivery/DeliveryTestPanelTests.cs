using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Components;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// The Test tab in bunit on the real delivery services: idle, accepted and waiting for the sender,
/// then delivered or failed as the dispatcher (run by hand) reports, and a refusal shown in place.
/// </summary>
public sealed class DeliveryTestPanelTests : WorldComponentTest<DeliveryHarness>
{
    private LoopbackReceiver? _receiver;
    private AsyncServiceScope _scope;

    protected override async Task<DeliveryHarness> StartAsync()
    {
        var harness = await DeliveryHarness.StartAsync();
        _receiver = await LoopbackReceiver.StartAsync();
        _receiver.Respond = (context, _) => context.Response.WriteAsync("{\"received\":\"thanks-from-receiver\"}");
        SignIn(PortalRoles.Operator);
        _scope = harness.Services.AsOperator(harness.Tenant);
        Use(_scope.ServiceProvider, typeof(DeliveryService), typeof(IntegrationSecrets), typeof(DeliveryEvents));
        return harness;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await _scope.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    [Fact]
    public async Task Idle_ShowsTheTypesSamplePayload_AndNoResultYet()
    {
        var integration = await WebhookAsync();
        var panel = Render<DeliveryTestPanel>(p => p.Add(x => x.Integration, integration));

        Assert.Contains("meter.reading", panel.Find("[data-testid=test-payload]").GetAttribute("value") ?? panel.Find("[data-testid=test-payload]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Send test", panel.Find("[data-testid=send-test]").TextContent.Trim());
        Assert.Empty(panel.FindAll("[data-testid=test-result]"));
        Assert.Empty(panel.FindAll("[data-testid=test-error]"));
    }

    [Fact]
    public async Task InactiveIntegration_SaysATestIsSentButRealMessagesAreNotDelivered()
    {
        var integration = await WebhookAsync();

        var active = Render<DeliveryTestPanel>(p => p.Add(x => x.Integration, integration with { Status = IntegrationStatus.Active }));
        var inactive = Render<DeliveryTestPanel>(p => p.Add(x => x.Integration, integration with { Status = IntegrationStatus.Inactive }));

        Assert.Empty(active.FindAll("[data-testid=test-inactive]"));
        Assert.Contains("real messages are not delivered until it is activated", inactive.Find("[data-testid=test-inactive]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ShowsPendingAtOnce_ThenDeliveredWithTheResponse_WhenTheSenderReports()
    {
        var integration = await WebhookAsync();
        var panel = Render<DeliveryTestPanel>(p => p.Add(x => x.Integration, integration));

        panel.Find("[data-testid=send-test]").Click();

        panel.WaitForElement("[data-testid=test-pending]");
        Assert.Equal("pending", panel.Find("[data-testid=test-result] [data-testid=delivery-status]").TextContent.Trim());
        Assert.False(panel.Find("[data-testid=send-test]").HasAttribute("disabled"));

        Assert.Equal(1, await World.DispatchAsync());
        panel.WaitForAssertion(() => Assert.Equal("delivered", panel.Find("[data-testid=test-result] [data-testid=delivery-status]").TextContent.Trim()));
        Assert.Equal("200", panel.Find("[data-testid=attempt-status]").TextContent);
        Assert.Contains("thanks-from-receiver", panel.Find("[data-testid=attempt-response]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=test-pending]"));
    }

    [Fact]
    public async Task Send_ToAFailingReceiver_ShowsFailedWithItsStatus()
    {
        _receiver!.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return context.Response.WriteAsync("down for maintenance");
        };
        var integration = await WebhookAsync();
        var panel = Render<DeliveryTestPanel>(p => p.Add(x => x.Integration, integration));

        panel.Find("[data-testid=send-test]").Click();
        panel.WaitForElement("[data-testid=test-pending]");
        await World.DispatchAsync();

        panel.WaitForAssertion(() => Assert.Equal("failed", panel.Find("[data-testid=test-result] [data-testid=delivery-status]").TextContent.Trim()));
        Assert.Equal("failed", panel.Find("[data-testid=attempt-outcome]").TextContent);
        Assert.Equal("503", panel.Find("[data-testid=attempt-status]").TextContent);
        Assert.Contains("down for maintenance", panel.Find("[data-testid=attempt-response]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ThatIsRefused_ShowsTheReason_AndTheButtonWorksAgain()
    {
        // An ingress type sends nothing: the service refuses, and the panel says why instead of failing.
        var id = await World.CreateAsync("open-meteo", [], "Weather");
        var integration = await World.IntegrationAsync(id);
        var panel = Render<DeliveryTestPanel>(p => p.Add(x => x.Integration, integration));

        panel.Find("[data-testid=send-test]").Click();

        panel.WaitForElement("[data-testid=test-error]");
        Assert.NotEmpty(panel.Find("[data-testid=test-error]").TextContent.Trim());
        Assert.Empty(panel.FindAll("[data-testid=test-result]"));
        Assert.False(panel.Find("[data-testid=send-test]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Viewer_SeesThePayload_ButCannotSend()
    {
        SignIn(PortalRoles.Viewer);
        var integration = await WebhookAsync();
        var panel = Render<DeliveryTestPanel>(p => p.Add(x => x.Integration, integration));

        Assert.Empty(panel.FindAll("[data-testid=send-test]"));
        Assert.Contains("Your role can look but not send.", panel.Markup, StringComparison.Ordinal);
    }

    private async Task<IntegrationDetail> WebhookAsync()
    {
        var id = await World.CreateAsync("webhook", new() { ["url"] = _receiver!.Url.ToString(), ["auth"] = "NONE" });
        return await World.IntegrationAsync(id);
    }
}
