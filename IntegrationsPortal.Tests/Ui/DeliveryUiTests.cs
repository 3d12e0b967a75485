using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

[Collection(SetUpPortalUiCollection.Name)]
public sealed class DeliveryUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task TestSend_FromTheDetailPage_ShowsTheResultWithoutReload_AndTheHistoryRowOpensTheResponse()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, _) => context.Response.WriteAsync("{\"received\":\"thanks-from-receiver\"}");
        Guid id;
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            id = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "webhook",
                Name = "Test-send webhook",
                Properties = new() { ["url"] = receiver.Url.ToString(), ["auth"] = "BASIC", ["username"] = "hook", ["password"] = "ui-password-123" },
            }, TestContext.Current.CancellationToken);
        }

        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync($"/integrations/{id}");
        await Page.EvaluateAsync("() => window.noReloadMarker = 'still here'");
        await OpenTabAsync("Test");
        await Expect(ByTestId("test-payload")).ToHaveValueAsync(new Regex("meter.reading"));
        await ByTestId("send-test").ClickAsync();

        await Expect(ByTestId("test-result").GetByTestId("attempt-status")).ToHaveTextAsync("200", new() { Timeout = 20_000 });
        await Expect(ByTestId("test-result").GetByTestId("delivery-status")).ToHaveTextAsync("delivered");
        await Expect(ByTestId("test-result").GetByTestId("attempt-response")).ToContainTextAsync("thanks-from-receiver");
        await Expect(ByTestId("test-result")).Not.ToContainTextAsync("ui-password-123");
        Assert.Equal("still here", await Page.EvaluateAsync<string>("() => window.noReloadMarker"));
        Assert.Single(receiver.Requests, r => r.Method == "POST"); // the verifier checks reachability with HEAD

        await OpenTabAsync("History");
        var row = ByTestId("history-grid").Locator("tbody tr").First;
        await Expect(row).ToContainTextAsync("test");
        await row.GetByTestId("history-open").ClickAsync();
        await Expect(ByTestId("delivery-dialog").GetByTestId("attempt-response")).ToContainTextAsync("thanks-from-receiver");
        await Expect(ByTestId("delivery-dialog")).ToContainTextAsync("Authorization: [redacted]");
    }

    [Fact]
    public async Task DeliveryHistoryPage_ListsMessagesAcrossIntegrations()
    {
        await SignInAsync(SetUpPortalUiFixture.ViewerEmail);
        await GotoInteractiveAsync("/deliveries");
        await Expect(ByTestId("history-grid")).ToBeVisibleAsync();
        await Expect(ByTestId("recover-failed")).ToHaveCountAsync(0);
        await ExpectNoSeriousAccessibilityViolationsAsync("/deliveries", within: ".delivery-history");
    }

    /// <summary>
    /// The history's Open button is clicked while live refreshes change its row twice a second (the
    /// grid's throttle). Each click is held for 150 ms, as a person's is: when a refresh replaced the
    /// row between mouse down and mouse up, the click reached no button (docs/decisions/040).
    /// </summary>
    [Fact]
    public async Task Open_ClickedWhileLiveRefreshesChangeTheRow_OpensTheMessage_EveryTime()
    {
        const int Clicks = 5;
        await using var receiver = await LoopbackReceiver.StartAsync();
        Guid id, message;
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            id = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "webhook",
                Name = $"Live-history webhook {Guid.NewGuid():N}",
                Properties = new() { ["url"] = receiver.Url.ToString(), ["auth"] = "NONE" },
            }, TestContext.Current.CancellationToken);
            message = (await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueueAsync(id, "meter.reading", ["""{"reading":1}"""], TestContext.Current.CancellationToken))[0];
        }

        using var stop = new CancellationTokenSource();
        var ticking = TickAsync(id, message, stop.Token);
        try
        {
            await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
            await GotoInteractiveAsync($"/integrations/{id}");
            await OpenTabAsync("History");
            var row = ByTestId("history-grid").Locator("tbody tr").First;
            var open = row.GetByTestId("history-open");

            for (var click = 1; click <= Clicks; click++)
            {
                await open.EvaluateAsync("b => window.openButton = b");
                var seen = await row.TextContentAsync();
                await Expect(row).Not.ToHaveTextAsync(seen!, new() { Timeout = 10_000 });
                Assert.True(await Page.EvaluateAsync<bool>("() => window.openButton.isConnected"),
                    $"Click {click}: a live refresh replaced the Open button ({seen} -> {await row.TextContentAsync()}).");

                await open.ClickAsync(new() { Delay = 150 });
                await Expect(ByTestId("delivery-dialog")).ToBeVisibleAsync(new() { Timeout = 5_000 });
                await Page.Locator(".mud-dialog", new() { Has = ByTestId("delivery-dialog") })
                    .GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
                await Expect(ByTestId("delivery-dialog")).ToHaveCountAsync(0);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await ticking;
        }
    }

    /// <summary>Every 100 ms the message's attempt count changes and the real delivery event reports it.</summary>
    private async Task TickAsync(Guid integration, Guid message, CancellationToken stop)
    {
        var events = portal.App.Services.GetRequiredService<DeliveryEvents>();
        while (!stop.IsCancellationRequested)
        {
            await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
            {
                await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(CancellationToken.None);
                await db.Set<OutboxMessage>().Where(m => m.Id == message)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.TotalAttempts, m => m.TotalAttempts + 1), CancellationToken.None);
                var status = await db.Set<OutboxMessage>().Where(m => m.Id == message).Select(m => m.Status).SingleAsync(CancellationToken.None);
                events.Publish(new DeliveryChange(message, integration, status));
            }

            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
