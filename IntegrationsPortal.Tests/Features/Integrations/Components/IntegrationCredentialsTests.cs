using Bunit;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Components;
using IntegrationsPortal.Tests.Features.Delivery;

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
}
