using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>The integrations list and the catalog as a first-hour operator or viewer meets them, in Chromium.</summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed class IntegrationListUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task StatusFilter_ShowsStatesInWords_AndSortingGoesBackToPageOne()
    {
        // 30 of a kind, found by a search of their own: two pages of 25.
        for (var i = 1; i <= 30; i++)
        {
            await portal.CreateWebhookAsync($"Sortcheck {i:00}");
        }

        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations");

        await ByTestId("filter-status").ClickAsync();
        var options = Page.Locator(".mud-popover-open");
        await Expect(options.GetByText("Pending verification")).ToBeVisibleAsync();
        await Expect(options).Not.ToContainTextAsync("pending_verify");
        await Page.Keyboard.PressAsync("Escape");

        await ByTestId("integration-search").FillAsync("Sortcheck");
        // The search is applied after a pause in typing: until then the first page of every integration shows.
        await Expect(ByTestId("integrations-grid")).ToContainTextAsync("1-25 of 30");
        await Expect(ByTestId("integration-link")).ToHaveCountAsync(25);
        await Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(ByTestId("integration-link")).ToHaveCountAsync(5);

        await ByTestId("integrations-grid").Locator("th", new() { HasText = "Name" }).Locator(".sortable-column-header").First.ClickAsync();

        await Expect(ByTestId("integration-link")).ToHaveCountAsync(25);
        await Expect(ByTestId("integrations-grid")).ToContainTextAsync("1-25 of 30");
    }

    [Theory]
    [InlineData(1400)]
    [InlineData(1280)]
    public async Task DirectionFilter_ShowsItsLabelAndChosenValue_Uncut(int width)
    {
        await Page.SetViewportSizeAsync(width, 900);
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations");
        var filter = ByTestId("filter-direction");
        await ExpectUncutAsync(filter, "Direction");

        await ByTestId("filter-direction").ClickAsync();
        await Page.Locator(".mud-popover-open").GetByText("Ingress", new() { Exact = true }).ClickAsync();

        await Page.WaitForFunctionAsync("""
            () => {
                const select = document.querySelector('[data-testid=filter-direction]');
                return [...(select.closest('.mud-select') ?? select).querySelectorAll('input')].some(i => i.value === 'Ingress');
            }
            """);
        await ExpectUncutAsync(filter, "Ingress");
    }

    /// <summary>Every piece of text in the select (its label, the chosen value) fits its box: nothing is cut to "Directi...".</summary>
    private async Task ExpectUncutAsync(Microsoft.Playwright.ILocator select, string what)
    {
        var cut = await select.EvaluateAsync<string[]>("""
            select => [...(select.closest('.mud-select') ?? select).querySelectorAll('label, input, .mud-input-slot, .mud-select-input')]
                .filter(e => e.getClientRects().length > 0 && e.scrollWidth > e.clientWidth)
                .map(e => `${e.tagName}.${e.className} ${e.scrollWidth} > ${e.clientWidth}: ${e.value ?? e.textContent}`)
            """);
        Assert.True(cut.Length == 0, $"Cut while showing {what}:\n" + string.Join("\n", cut));
    }

    [Fact]
    public async Task Viewer_Catalog_DoesNotAskToPickAType()
    {
        await SignInAsync(SetUpPortalUiFixture.ViewerEmail);
        await GotoInteractiveAsync("/catalog");

        await Expect(ByTestId("catalog-step")).ToHaveTextAsync("The types of integration the portal offers");
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("pick a type");
    }

    [Fact]
    public async Task ConfigurePage_ReachedFromTheCatalog_HighlightsCatalogInTheSideMenu()
    {
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/catalog");

        await ByTestId("configure-webhook").ClickAsync();

        await Expect(ByTestId("input-name")).ToBeVisibleAsync();
        await Expect(ByTestId("nav-menu").Locator("a.active")).ToHaveTextAsync("Catalog");
    }

    [Fact]
    public async Task NameField_CountsCharactersAgainstItsLimit_WhileTyping()
    {
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations/new/webhook");

        await ByTestId("input-name").FillAsync("Ops webhook");

        await Expect(ByTestId("field-name")).ToContainTextAsync("11 / 100");
        await Expect(ByTestId("input-name")).ToHaveAttributeAsync("maxlength", "100");
    }

    [Fact]
    public async Task CatalogHelp_LeadsFromACard_ToTheTypesOwnPage_AndToHowIntegrationsWork()
    {
        await SignInAsync(SetUpPortalUiFixture.ViewerEmail);
        await GotoInteractiveAsync("/catalog");

        await ByTestId("help-webhook").ClickAsync();
        await Expect(ByTestId("type-help-fields")).ToContainTextAsync("Signing secret");
        await Expect(ByTestId("type-help-example")).Not.ToBeEmptyAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("a type's help page");

        await Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "How integrations work" }).First.ClickAsync();
        await Expect(ByTestId("how-integrations-work")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("How integrations work");
    }
}
