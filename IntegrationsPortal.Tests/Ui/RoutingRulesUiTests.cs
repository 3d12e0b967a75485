using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>An Operator's path through the routing rules page: add a rule between two integrations, see it listed, delete it.</summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed class RoutingRulesUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Operator_AddsANotifyRuleWithAFallback_SeesItListed_ThenDeletesIt()
    {
        // Names of this test's own: the shared portal holds other tests' integrations and rules.
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (primary, fallback) = ($"Rules primary {suffix}", $"Rules fallback {suffix}");
        await portal.CreateWebhookAsync(primary);
        await portal.CreateWebhookAsync(fallback);
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);

        await ByTestId("nav-routing-rules").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/routing-rules$"));
        await OpenDialogAsync(ByTestId("routing-rule-new"));
        await PickOptionAsync("routing-rule-capability", "notify", wholeText: false);
        await PickOptionAsync("routing-rule-integration", primary, wholeText: false);
        await PickOptionAsync("routing-rule-fallback", fallback, wholeText: false);
        await ByTestId("routing-rule-priority").FillAsync("40");
        await ExpectNoSeriousAccessibilityViolationsAsync("the routing rule form", within: ".mud-dialog");
        await ByTestId("routing-rule-save").ClickAsync();

        var row = ByTestId("routing-rules-grid").Locator("tr", new() { HasText = primary });
        await Expect(row.GetByTestId("routing-rule-fallback-cell")).ToContainTextAsync(fallback);
        await Expect(row).ToContainTextAsync("40");
        await ExpectNoSeriousAccessibilityViolationsAsync("the routing rules page", within: "main");

        await row.GetByTestId("routing-rule-delete").ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
    }
}
