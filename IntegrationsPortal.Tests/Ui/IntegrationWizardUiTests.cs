using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

[Collection(SetUpPortalUiCollection.Name)]
public sealed class IntegrationWizardUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task Operator_AddsAWebhook_InTwoSteps_AndWatchesItVerify()
    {
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations");
        await ByTestId("add-integration").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/catalog$"));
        await WaitForInteractiveAsync();
        await ByTestId("configure-webhook").ClickAsync();

        // Step 2: validation as you type, next to the field.
        await ByTestId("input-name").FillAsync("Ops webhook");
        await ByTestId("input-url").FillAsync("not a url");
        await Expect(ByTestId("error-url")).ToHaveTextAsync("Enter a full http:// or https:// URL.");
        // The receiver: the portal's own health endpoint answers, which is all a webhook check needs.
        await ByTestId("input-url").FillAsync(new Uri(RootUri, "health").ToString());
        await Expect(ByTestId("error-url")).ToHaveCountAsync(0);
        await ExpectNoSeriousAccessibilityViolationsAsync("the wizard's second step");

        // Back to the catalog and forward again keeps what was typed.
        await ByTestId("wizard-back").ClickAsync();
        await ByTestId("configure-webhook").ClickAsync();
        await Expect(ByTestId("input-name")).ToHaveValueAsync("Ops webhook");

        await ByTestId("wizard-create").ClickAsync();
        // The signing secret was left empty: the generated one is shown once, to copy for the receiver.
        await Expect(ByTestId("issued-secret-value")).ToHaveTextAsync(new Regex("^whsec_[A-Za-z0-9+/=]{40,}$"));
        await Expect(ByTestId("issued-secret-copy")).ToBeVisibleAsync();
        await ExpectNoSeriousAccessibilityViolationsAsync("the generated signing secret");
        await ByTestId("issued-secret-done").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/integrations/[0-9a-f-]{36}$"));
        // pending_verify first (the check runs as a job), then active, without a reload.
        await Page.EvaluateAsync("() => window.noReloadMarker = 'still here'");
        await Expect(ByTestId("status-badge")).ToHaveTextAsync("active", new() { Timeout = 20_000 });
        await Expect(ByTestId("verified-at")).Not.ToHaveTextAsync("never");
        Assert.Equal("still here", await Page.EvaluateAsync<string>("() => window.noReloadMarker"));
        await ExpectNoSeriousAccessibilityViolationsAsync("the integration's detail page");
    }

    [Fact]
    public async Task CreateRefused_ForAnEmptyUrl_HighlightsIt_AndCorrectingItAloneEnablesCreateAgain()
    {
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations/new/webhook");
        await ByTestId("input-name").FillAsync("Refused webhook");
        // Set by a rotation, never typed: not offered on the create form.
        await Expect(ByTestId("field-signing_secret")).ToBeVisibleAsync();
        await Expect(ByTestId("field-previous_signing_secret")).ToHaveCountAsync(0);
        await Expect(ByTestId("field-previous_signing_secret_expires")).ToHaveCountAsync(0);

        await ByTestId("wizard-create").ClickAsync();

        await Expect(ByTestId("error-url")).ToBeVisibleAsync();
        await Expect(ByTestId("create-error")).ToHaveTextAsync("Check the highlighted fields.");
        await Expect(ByTestId("wizard-create")).ToBeDisabledAsync();

        // Only the URL is corrected: the banner goes and Create can be pressed, with no other field touched.
        await ByTestId("input-url").FillAsync(new Uri(RootUri, "health").ToString());
        await Expect(ByTestId("error-url")).ToHaveCountAsync(0);
        await Expect(ByTestId("create-error")).ToHaveCountAsync(0);
        await Expect(ByTestId("wizard-create")).ToBeEnabledAsync();
        await ByTestId("wizard-create").ClickAsync();
        await ByTestId("issued-secret-done").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/integrations/[0-9a-f-]{36}$"));
    }

    [Fact]
    public async Task FailedVerification_ShowsTheErrorOnTheDetailPage()
    {
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations/new/webhook");
        await ByTestId("input-name").FillAsync("Broken webhook");
        await ByTestId("input-url").FillAsync(new Uri(RootUri, "no-such-receiver").ToString());
        await ByTestId("wizard-create").ClickAsync();
        await ByTestId("issued-secret-done").ClickAsync();

        await Expect(ByTestId("status-badge")).ToHaveTextAsync("error", new() { Timeout = 20_000 });
        await Expect(ByTestId("last-error")).ToContainTextAsync("404");
    }

    [Fact]
    public async Task Email_CaCertificateBox_ShowsWithStartTlsOnly_AndABadPemIsRefusedNextToIt()
    {
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations/new/email");

        // STARTTLS is on by default, so the CA box is there: several lines, for a pasted PEM.
        var ca = ByTestId("input-ca_certificate");
        await Expect(ca).ToBeVisibleAsync();
        Assert.Equal("TEXTAREA", await ca.EvaluateAsync<string>("e => e.tagName"));
        await ca.FillAsync("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----");
        await Expect(ByTestId("error-ca_certificate"))
            .ToHaveTextAsync("Not a PEM certificate: paste it whole, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.");
        await Expect(ByTestId("field-alerts")).ToContainTextAsync("Send portal alerts to Admins");

        await ByTestId("input-starttls").ClickAsync();
        await Expect(ByTestId("field-ca_certificate")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Mqtt_ClientKeyBox_ShowsWithTls_TakesAMultiLinePem_AndABadKeyIsRefusedNextToIt()
    {
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations/new/mqtt");
        await Expect(ByTestId("field-client_key")).ToHaveCountAsync(0);

        await ByTestId("input-tls").ClickAsync();
        var key = ByTestId("input-client_key");
        await Expect(key).ToBeVisibleAsync();
        // A password box would drop the PEM's line breaks.
        Assert.Equal("TEXTAREA", await key.EvaluateAsync<string>("e => e.tagName"));
        await key.FillAsync("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----");

        await Expect(ByTestId("error-client_key")).ToContainTextAsync("Not a PEM private key: paste it whole");
        await Expect(ByTestId("field-client_certificate")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Viewer_SeesAnIntegration_ButNoButtonsToChangeIt()
    {
        var id = await portal.CreateWebhookAsync("Read-only webhook");
        await SignInAsync(SetUpPortalUiFixture.ViewerEmail);
        await GotoInteractiveAsync($"/integrations/{id}");

        await Expect(Page.Locator("h1")).ToHaveTextAsync("Read-only webhook");
        foreach (var testId in new[] { "verify-now", "disable", "activate", "delete", "save-settings", "replace-password" })
        {
            await Expect(ByTestId(testId)).ToHaveCountAsync(0);
        }

        await Expect(ByTestId("input-name")).ToBeDisabledAsync();
        await GotoInteractiveAsync("/integrations");
        await Expect(ByTestId("add-integration")).ToHaveCountAsync(0);
        await Expect(ByTestId("row-delete")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task MovingFromOneIntegrationToAnother_ThenSave_SavesWhatTheSecondShows_AndLeavesTheFirstAlone()
    {
        var first = await portal.CreateWebhookAsync("First webhook");
        var second = await portal.CreateWebhookAsync("Second webhook");
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync($"/integrations/{first}");
        await Expect(ByTestId("input-name")).ToHaveValueAsync("First webhook");

        // In-app navigation, as a link between integrations (or the browser's history) does: the
        // page stays, only its Id changes.
        await Page.EvaluateAsync($"() => Blazor.navigateTo('/integrations/{second}')");
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Second webhook");
        await Expect(ByTestId("input-name")).ToHaveValueAsync("Second webhook");

        await ByTestId("input-name").FillAsync("Second webhook, renamed");
        await ByTestId("save-settings").ClickAsync();
        await Expect(Page.Locator("h1")).ToHaveTextAsync("Second webhook, renamed");

        await using var scope = portal.App.Services.AsAdmin(portal.Acme);
        var integrations = scope.ServiceProvider.GetRequiredService<IntegrationQueries>();
        Assert.Equal("First webhook", (await integrations.GetAsync(first, TestContext.Current.CancellationToken)).Name);
        Assert.Equal("Second webhook, renamed", (await integrations.GetAsync(second, TestContext.Current.CancellationToken)).Name);
    }

    [Fact]
    public async Task Stripe_HasNoTestTab_ButAWebhookHasOne()
    {
        var stripe = await portal.CreateAsync("stripe", "Payments", new()
        {
            ["publishable_key"] = "pk_test_123", ["secret_key"] = "sk_test_123",
            ["base_url"] = new Uri(portal.App.RootUri!, "no-stripe-here").ToString(),
        });
        var webhook = await portal.CreateWebhookAsync("Tested webhook");
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);

        await GotoInteractiveAsync($"/integrations/{stripe}");
        await Expect(Page.GetByRole(AriaRole.Tab, new() { Name = "History" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Tab, new() { Name = "Test", Exact = true })).ToHaveCountAsync(0);

        await GotoInteractiveAsync($"/integrations/{webhook}");
        await Expect(Page.GetByRole(AriaRole.Tab, new() { Name = "Test", Exact = true })).ToBeVisibleAsync();
    }
}
