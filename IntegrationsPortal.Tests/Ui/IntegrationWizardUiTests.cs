using IntegrationsPortal.Features.Accounts;
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

        // Back to the catalog and forward again keeps what was typed.
        await ByTestId("wizard-back").ClickAsync();
        await ByTestId("configure-webhook").ClickAsync();
        await Expect(ByTestId("input-name")).ToHaveValueAsync("Ops webhook");

        await ByTestId("wizard-create").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/integrations/[0-9a-f-]{36}$"));
        // pending_verify first (the check runs as a job), then active, without a reload.
        await Page.EvaluateAsync("() => window.noReloadMarker = 'still here'");
        await Expect(ByTestId("status-badge")).ToHaveTextAsync("active", new() { Timeout = 20_000 });
        await Expect(ByTestId("verified-at")).Not.ToHaveTextAsync("never");
        Assert.Equal("still here", await Page.EvaluateAsync<string>("() => window.noReloadMarker"));
    }

    [Fact]
    public async Task FailedVerification_ShowsTheErrorOnTheDetailPage()
    {
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/integrations/new/webhook");
        await ByTestId("input-name").FillAsync("Broken webhook");
        await ByTestId("input-url").FillAsync(new Uri(RootUri, "no-such-receiver").ToString());
        await ByTestId("wizard-create").ClickAsync();

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
}
