using Bunit;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Components;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>The history grid in bunit on the real delivery services: duration, next attempt, Retry now, and a warning before resending a message whose outcome is unknown.</summary>
public sealed class DeliveryHistoryGridTests : OperatorComponentTest
{
    protected override Type[] ServicesUsed => [typeof(DeliveryService), typeof(IntegrationQueries), typeof(DeliveryEvents)];

    [Fact]
    public async Task MessageWaitingForARetry_ShowsDurationNextAttemptAndRetryNow_AndResendingAnUnknownOneWarnsOfADuplicate()
    {
        // A receiver that is not there: the attempt fails and a retry is scheduled.
        var integration = await World.CreateAsync("webhook", new() { ["url"] = "http://127.0.0.1:1/hook", ["auth"] = "NONE" });
        var message = await World.EnqueueAsync(integration);
        await World.DispatchAsync();
        var next = (await World.DetailAsync(message)).Message.NextAttemptAt!.Value;
        var dialogs = Render<MudDialogProvider>();
        var grid = Render<DeliveryHistoryGrid>(p => p.Add(x => x.IntegrationId, integration));

        grid.WaitForAssertion(() => Assert.Equal(next.ToString("yyyy-MM-dd HH:mm:ss"), grid.Find("[data-testid=history-next-attempt]").TextContent));
        Assert.EndsWith(" ms", grid.Find("[data-testid=history-duration]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(grid.Find("[data-testid=history-retry-now]"));

        await World.AsAdminAsync(async sp =>
        {
            await using var db = await sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            return await db.Set<OutboxMessage>().Where(m => m.Id == message).ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, DeliveryStatus.Unknown));
        });
        await grid.InvokeAsync(() => grid.FindComponent<MudDataGrid<DeliveryRow>>().Instance.ReloadServerData());
        grid.WaitForAssertion(() => Assert.Equal("outcome unknown", grid.Find("[data-testid=delivery-status]").TextContent.Trim()));

        grid.Find("[data-testid=history-resend]").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("a resend may deliver it twice", dialogs.Markup, StringComparison.Ordinal));
        Assert.Equal(DeliveryTrigger.Automatic, (await World.DetailAsync(message)).Message.Trigger);
    }
}
