using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>The API reference (Scalar) from the portal's menu: it renders under the portal's CSP, from the portal alone.</summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed class ApiReferenceUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task MenuLink_OpensTheReference_WhichRendersBothApis_WithoutCspViolationsOrOutsideRequests()
    {
        var violations = new List<string>();
        var outside = new List<string>();
        Page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        Page.Request += (_, request) =>
        {
            if (new Uri(request.Url) is { Scheme: "http" or "https" } uri && uri.Authority != RootUri.Authority)
            {
                outside.Add(request.Url);
            }
        };

        await SignInAsync(portal.Acme.AdminEmail);
        await ByTestId("nav-api-reference").ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex("/api-reference/v2$"));
        // The reference is drawn in the browser by Scalar's script from the OpenAPI document: on a
        // loaded two-core machine that alone has taken more than the usual five seconds.
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Integrations API (/v2)" })).ToBeVisibleAsync(Drawn);
        await Expect(Page.GetByText("X-Api-Key").First).ToBeVisibleAsync(Drawn);

        await Page.GotoAsync("/api-reference/v1");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Tenant provider integrations API (/api/v1)" })).ToBeVisibleAsync(Drawn);
        await Expect(Page.GetByText("/api/v1/integrations/providers").First).ToBeVisibleAsync(Drawn);

        Assert.Empty(violations);
        Assert.Empty(outside);
    }

    private static LocatorAssertionsToBeVisibleOptions Drawn => new() { Timeout = 30_000 };
}
