using System.Text.Json;
using Bunit;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Components;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Integrations.Components;

/// <summary>Secret header values on the detail page: shown as set or not set, never in the markup, typed again after a move.</summary>
public sealed class SecretHeadersFormTests : ComponentTest
{
    private const string Token = "tok-never-in-the-markup-91";

    [Fact]
    public async Task Credentials_ShowSecretHeadersAsSet_NeverTheirValue_AndReplaceThemInMaskedBoxes()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var id = await portal.Services.CreateIntegrationAsync(acme, WebhookWithSecretHeader());
        var credentials = Render<IntegrationCredentials>(p => p.Add(x => x.Detail, portal.Services.GetIntegrationAsync(acme, id).GetAwaiter().GetResult()));

        Assert.Contains("set", credentials.Find("[data-testid=secret-secret_headers]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, credentials.Markup, StringComparison.Ordinal);
        credentials.Find("[data-testid=replace-secret_headers]").Click();
        Assert.DoesNotContain(Token, credentials.Markup, StringComparison.Ordinal);
        credentials.Find("[data-testid=replace-input-secret_headers] [data-testid=kv-add]").Click();
        Assert.Equal("password", credentials.Find("[data-testid=replace-input-secret_headers] .kv-value input").GetAttribute("type"));
        credentials.Find("[data-testid=replace-input-secret_headers] .kv-key input").Input("X-Api-Token");
        credentials.Find("[data-testid=replace-input-secret_headers] .kv-value input").Input("tok-replaced-22");
        await credentials.Find("[data-testid=replace-save-secret_headers]").ClickAsync(new());

        await using var scope = portal.Services.AsAdmin(acme);
        var configuration = await scope.ServiceProvider.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(id, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("""{"X-Api-Token":"tok-replaced-22"}""", configuration.Secrets["secret_headers"]);
    }

    [Fact]
    public async Task SettingsForm_UrlMoved_AsksForTheSecretHeadersAgainNextToThem_WithoutShowingTheOldOnes()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var id = await portal.Services.CreateIntegrationAsync(acme, WebhookWithSecretHeader());
        var form = Render<IntegrationSettingsForm>(p => p.Add(x => x.Detail, portal.Services.GetIntegrationAsync(acme, id).GetAwaiter().GetResult()));
        Assert.Empty(form.FindAll("[data-testid=input-secret_headers]"));

        form.Find("[data-testid=input-url]").Input("https://elsewhere.example/in");

        form.WaitForAssertion(() => Assert.Single(form.FindAll("[data-testid=input-secret_headers]")));
        Assert.Contains("Enter the secret headers again: the destination changed.", form.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, form.Markup, StringComparison.Ordinal);
    }

    private static CreateIntegrationInput WebhookWithSecretHeader()
    {
        var input = IntegrationSeeds.Webhook("Token hook");
        input.Properties["secret_headers"] = JsonSerializer.Serialize(new Dictionary<string, string> { ["X-Api-Token"] = Token });
        return input;
    }
}
