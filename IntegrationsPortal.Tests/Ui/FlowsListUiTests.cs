using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>An operator's path through the flows list in Chromium: start a flow, come back to it, delete it.</summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed partial class FlowsListUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Operator_StartsAFlow_WhichOpensTheEditor_ThenSeesItListedAsADraft_AndDeletesIt()
    {
        await SignInAsync(portal.Acme.AdminEmail);
        await GotoInteractiveAsync("/flows");
        await ExpectNoSeriousAccessibilityViolationsAsync("Flows list, empty", "main");

        await ByTestId("new-flow").ClickAsync();
        await Expect(Page).ToHaveURLAsync(EditorUrl());

        await GotoInteractiveAsync("/flows");
        var row = ByTestId("flows-table").Locator("tr", new() { HasText = "New flow" });
        await Expect(row.GetByTestId("flow-state")).ToHaveTextAsync("draft");
        await Expect(row.GetByTestId("flow-version")).ToHaveTextAsync("not deployed");
        await Expect(row.GetByTestId("flow-today")).ToHaveTextAsync("0 runs");
        await ExpectNoSeriousAccessibilityViolationsAsync("Flows list with a draft", "main");

        await row.GetByTestId("flow-delete").ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        // Other tests of this collection keep their flows in the same organization, so only this row is
        // known to go; the empty state is the list's own test (FlowsPageTests.Disable_AndDelete_AskFirst…).
        await Expect(row).ToHaveCountAsync(0);
    }

    [GeneratedRegex("/flows/[0-9a-f-]{36}/edit$")]
    private static partial Regex EditorUrl();
}
