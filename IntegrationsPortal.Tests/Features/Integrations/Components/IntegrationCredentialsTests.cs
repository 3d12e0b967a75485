using Bunit;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Components;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Integrations.Components;

/// <summary>
/// Credentials of a webhook in bunit on the real services: the signing secret can be rotated and
/// revealed there (it was on the Test tab, and never shown), with a copy button.
/// </summary>
public sealed class IntegrationCredentialsTests : OperatorComponentTest
{
    protected override Type[] ServicesUsed => [typeof(IntegrationService), typeof(IntegrationSecrets)];

    [Fact]
    public async Task Rotate_ShowsTheNewSecretOnceWithACopyButton_AndRevealShowsTheSameSecret()
    {
        var id = await World.CreateAsync("webhook", new() { ["url"] = "https://receiver.example/hooks", ["auth"] = "NONE" });
        var detail = await World.IntegrationAsync(id);
        var panel = Render<IntegrationCredentials>(p => p.Add(x => x.Detail, detail));
        Assert.Empty(panel.FindAll("[data-testid=signing-secret-value]"));

        panel.Find("[data-testid=rotate-secret]").Click();

        var rotated = panel.WaitForElement("[data-testid=signing-secret-value]").TextContent;
        Assert.StartsWith("whsec_", rotated, StringComparison.Ordinal);
        Assert.NotNull(panel.Find("[data-testid=signing-secret-copy]"));
        panel.Find("[data-testid=signing-secret-done]").Click();
        Assert.DoesNotContain(rotated, panel.Markup, StringComparison.Ordinal);

        panel.Find("[data-testid=reveal-secret]").Click();

        Assert.Equal(rotated, panel.WaitForElement("[data-testid=signing-secret-value]").TextContent);
        Assert.Contains("recorded in the audit log", panel.Find("[data-testid=signing-secret]").TextContent, StringComparison.Ordinal);
    }
    [Fact]
    public async Task Replace_SigningSecretNotInWhsecBase64Form_IsRefusedNextToTheField_AndTheSecretIsKept()
    {
        var id = await World.CreateAsync("webhook", new() { ["url"] = "https://receiver.example/hooks", ["auth"] = "NONE" });
        var kept = await SigningSecretAsync(id);
        var detail = await World.IntegrationAsync(id);
        var panel = Render<IntegrationCredentials>(p => p.Add(x => x.Detail, detail));

        panel.Find("[data-testid=replace-signing_secret]").Click();
        panel.Find("[data-testid=replace-input-signing_secret]").Input("whsec_not base64!");
        panel.Find("[data-testid=replace-save-signing_secret]").Click();

        panel.WaitForAssertion(() => Assert.Contains("A signing secret is whsec_ followed by the base64", panel.Find(".form-field-error").TextContent, StringComparison.Ordinal));
        Assert.NotEmpty(panel.FindAll("[data-testid=replace-input-signing_secret]")); // still open, next to the field
        Assert.Equal(kept, await SigningSecretAsync(id));
    }

    private Task<string?> SigningSecretAsync(Guid id) =>
        World.AsAdminAsync(async sp => (await sp.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(id)).Secrets.GetValueOrDefault("signing_secret"));
}
