using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
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
            });
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
    }
}
