using System.Globalization;
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

        grid.WaitForAssertion(() => Assert.Equal(next.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), grid.Find("[data-testid=history-next-attempt]").TextContent));
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

    /// <summary>
    /// A live refresh (the dispatcher's real event) brings the row new values, and the row is updated in
    /// place: its Resend button is the same component before and after. Replaced, a click whose mouse down
    /// and mouse up straddle the refresh would reach no button (docs/decisions/040).
    /// </summary>
    [Fact]
    public async Task LiveRefresh_WithChangedValues_UpdatesTheRowInPlace_KeepingItsButtons()
    {
        var integration = await World.CreateAsync("webhook", new() { ["url"] = "http://127.0.0.1:1/hook", ["auth"] = "NONE" });
        var message = await World.EnqueueAsync(integration);
        await World.DispatchAsync();
        var firstRetry = (await World.DetailAsync(message)).Message.NextAttemptAt!.Value;
        var grid = Render<DeliveryHistoryGrid>(p => p.Add(x => x.IntegrationId, integration));
        grid.WaitForAssertion(() => Assert.Equal(firstRetry.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), grid.Find("[data-testid=history-next-attempt]").TextContent));
        var resend = ButtonOf(grid, "history-resend");

        // The retry fails again: the dispatcher publishes the change, and the grid reloads after its throttle.
        World.Clock.Advance(firstRetry - World.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        await World.DispatchAsync();
        var secondRetry = (await World.DetailAsync(message)).Message.NextAttemptAt!.Value;
        Assert.NotEqual(firstRetry, secondRetry);
        World.Clock.Advance(TimeSpan.FromSeconds(1));

        grid.WaitForAssertion(() => Assert.Equal(secondRetry.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), grid.Find("[data-testid=history-next-attempt]").TextContent));
        Assert.Same(resend, ButtonOf(grid, "history-resend"));
    }

    private static MudIconButton ButtonOf(IRenderedComponent<DeliveryHistoryGrid> grid, string testId) =>
        grid.FindComponents<MudIconButton>().Single(b => Equals(b.Instance.UserAttributes.GetValueOrDefault("data-testid"), testId)).Instance;
}
