using Bunit;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Components;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Integrations.Components;

/// <summary>
/// The detail page's tabs when the page moves from one integration to another (A -> B) and when the
/// same integration is refreshed live; real services on SQLite behind them.
/// </summary>
public sealed class DetailTabsTests : ComponentTest
{
    [Fact]
    public async Task SettingsForm_GivenAnotherIntegration_ShowsItsValues_AndSavesOntoIt()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var a = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.Webhook("Webhook A", "https://a.acme.test/in"));
        var b = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.Webhook("Webhook B", "https://b.acme.test/in"));
        var (detailA, detailB) = (await portal.Services.GetIntegrationAsync(acme, a), await portal.Services.GetIntegrationAsync(acme, b));
        var form = Render<IntegrationSettingsForm>(p => p.Add(x => x.Detail, detailA));
        Assert.Equal("Webhook A", form.Find("[data-testid=input-name]").GetAttribute("value"));

        form.Render(p => p.Add(x => x.Detail, detailB));

        Assert.Equal("Webhook B", form.Find("[data-testid=input-name]").GetAttribute("value"));
        Assert.Equal("https://b.acme.test/in", form.Find("[data-testid=input-url]").GetAttribute("value"));

        form.Find("[data-testid=input-name]").Input("Webhook B, renamed");
        await form.Find("[data-testid=save-settings]").ClickAsync(new());
        Assert.Equal("Webhook B, renamed", (await portal.Services.GetIntegrationAsync(acme, b)).Name);
        Assert.Equal("Webhook A", (await portal.Services.GetIntegrationAsync(acme, a)).Name);
        Assert.Equal("https://a.acme.test/in", (await portal.Services.GetIntegrationAsync(acme, a)).Properties["url"]);
    }

    [Fact]
    public async Task SettingsForm_UrlMovedToAnotherHost_AsksForThePasswordAgainNextToIt_AndSavesItWithTheUrl()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var id = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.WebhookWithBasicAuth("BASIC", "hook-password-1"));
        var detail = await portal.Services.GetIntegrationAsync(acme, id);
        var form = Render<IntegrationSettingsForm>(p => p.Add(x => x.Detail, detail));
        Assert.Empty(form.FindAll("[data-testid=input-password]"));

        form.Find("[data-testid=input-url]").Input("https://elsewhere.example/in");

        form.WaitForAssertion(() => Assert.Single(form.FindAll("[data-testid=input-password]")));
        Assert.Contains("Enter the password again: the destination changed.", form.Markup, StringComparison.Ordinal);
        form.Find("[data-testid=input-password]").Input("new-host-password");
        form.WaitForAssertion(() => Assert.DoesNotContain("the destination changed", form.Markup, StringComparison.Ordinal));
        await form.Find("[data-testid=save-settings]").ClickAsync(new());

        await using var scope = portal.Services.AsAdmin(acme);
        var configuration = await scope.ServiceProvider.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(id, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("https://elsewhere.example/in", configuration.Properties["url"]);
        Assert.Equal("new-host-password", configuration.Secrets["password"]);
    }

    [Fact]
    public async Task SettingsForm_RenameWithATextDirectionOverride_ShowsTheErrorNextToName_AndKeepsTheOldName()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var id = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.Webhook("Invoices hook"));
        var detail = await portal.Services.GetIntegrationAsync(acme, id);
        var form = Render<IntegrationSettingsForm>(p => p.Add(x => x.Detail, detail));

        form.Find("[data-testid=input-name]").Input("Invoices \u202Eexe.pdf");
        await form.Find("[data-testid=save-settings]").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Contains("no control or text-direction characters", form.Find("#integration-name-error").TextContent, StringComparison.Ordinal));
        Assert.Equal("Invoices hook", (await portal.Services.GetIntegrationAsync(acme, id)).Name);
    }

    [Fact]
    public async Task SettingsForm_RefreshedForTheSameIntegration_KeepsTheOperatorsUnsavedEdit()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var a = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.Webhook("Webhook A"));
        var detail = await portal.Services.GetIntegrationAsync(acme, a);
        var form = Render<IntegrationSettingsForm>(p => p.Add(x => x.Detail, detail));
        form.Find("[data-testid=input-name]").Input("Half-typed");

        // A live refresh (verification finished) hands the form a new Detail of the same integration.
        var refreshed = (await portal.Services.GetIntegrationAsync(acme, a)) with { Status = IntegrationStatus.Error };
        form.Render(p => p.Add(x => x.Detail, refreshed));

        Assert.Equal("Half-typed", form.Find("[data-testid=input-name]").GetAttribute("value"));
    }

    [Fact]
    public async Task Credentials_GivenAnotherIntegration_ShowItsSecrets_AndCloseAHalfDoneReplacement()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var withPassword = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.WebhookWithBasicAuth("BASIC", "hook-password-1"));
        var plain = await portal.Services.CreateIntegrationAsync(acme, IntegrationSeeds.Webhook("Plain"));
        var (first, second) = (await portal.Services.GetIntegrationAsync(acme, withPassword), await portal.Services.GetIntegrationAsync(acme, plain));
        var credentials = Render<IntegrationCredentials>(p => p.Add(x => x.Detail, first));
        Assert.Contains("set", credentials.Find("[data-testid=secret-password]").TextContent, StringComparison.Ordinal);
        credentials.Find("[data-testid=replace-password]").Click();
        Assert.NotEmpty(credentials.FindAll("[data-testid=replace-input-password]"));

        credentials.Render(p => p.Add(x => x.Detail, second));

        Assert.Contains("not set", credentials.Find("[data-testid=secret-password]").TextContent, StringComparison.Ordinal);
        Assert.Empty(credentials.FindAll("[data-testid=replace-input-password]"));
    }

    private static IntegrationDetail Detail(PortalServices portal, Tenant acme, Guid id) =>
        portal.Services.GetIntegrationAsync(acme, id).GetAwaiter().GetResult();
}
