using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

[Collection(SetUpPortalUiCollection.Name)]
public sealed class RecipientsUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    private const string Number = "+14155550142";

    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Operator_SendsACode_SeesAWrongOneRefused_ThenTheRightOneVerifiesWithoutReload()
    {
        await using var twilio = await FakeMessagingProviders.StartAsync();
        var id = await CreateSmsAsync("On-call texts", twilio);

        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync($"/integrations/{id}");
        await Page.EvaluateAsync("() => window.noReloadMarker = 'still here'");
        await OpenTabAsync("Recipients");
        var row = Row(Number);
        await Expect(row.GetByTestId("recipient-status")).ToHaveTextAsync("Not verified");

        await row.GetByTestId("send-code").ClickAsync();
        await Expect(row.GetByTestId("recipient-status")).ToHaveTextAsync("Code sent");
        await Expect(row.GetByTestId("recipient-detail")).ToContainTextAsync("expires in 10 min");
        var code = twilio.LastCodeSentTo(Number);

        await row.GetByTestId("code-input").FillAsync(twilio.WrongCodeFor(Number));
        await row.GetByTestId("confirm-code").ClickAsync();
        await Expect(row.GetByTestId("recipient-error")).ToHaveTextAsync("Wrong code: 4 tries left.");
        await Expect(row.GetByTestId("recipient-status")).ToHaveTextAsync("Code sent");

        await row.GetByTestId("code-input").FillAsync(code);
        await row.GetByTestId("confirm-code").ClickAsync();
        await Expect(row.GetByTestId("recipient-status")).ToHaveTextAsync("Verified");
        await Expect(row.GetByTestId("recipient-error")).ToHaveCountAsync(0);
        await Expect(row.GetByTestId("send-code")).ToHaveCountAsync(0);
        await Expect(Row("+14155550143").GetByTestId("recipient-status")).ToHaveTextAsync("Not verified");
        Assert.Equal("still here", await Page.EvaluateAsync<string>("() => window.noReloadMarker"));
    }

    [Fact]
    public async Task Viewer_SeesTheNumbers_ButNoButtons()
    {
        await using var twilio = await FakeMessagingProviders.StartAsync();
        var id = await CreateSmsAsync("Viewer's texts", twilio);

        await SignInAsync(SetUpPortalUiFixture.ViewerEmail);
        await GotoInteractiveAsync($"/integrations/{id}");
        await OpenTabAsync("Recipients");

        await Expect(Row(Number).GetByTestId("recipient-status")).ToHaveTextAsync("Not verified");
        await Expect(ByTestId("recipients-panel").GetByTestId("recipient-row")).ToHaveCountAsync(2);
        await Expect(ByTestId("send-code")).ToHaveCountAsync(0);
        await Expect(ByTestId("code-input")).ToHaveCountAsync(0);
    }

    private Microsoft.Playwright.ILocator Row(string number) => Page.Locator($"[data-testid=recipient-row][data-number='{number}']");

    private async Task<Guid> CreateSmsAsync(string name, FakeMessagingProviders twilio)
    {
        await using var scope = portal.App.Services.AsAdmin(portal.Acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = "sms",
            Name = name,
            Properties = IntegrationSeeds.TwilioRecipientList(twilio.BaseUri, $"{Number},+14155550143"),
        });
    }
}
