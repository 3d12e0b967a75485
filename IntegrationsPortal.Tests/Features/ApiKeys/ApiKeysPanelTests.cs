using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.ApiKeys;
using IntegrationsPortal.Features.ApiKeys.Pages;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.ApiKeys;

/// <summary>Settings > API keys in bunit, on the real ApiKeyService and a SQLite file.</summary>
public sealed class ApiKeysPanelTests : ComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private PortalServices _portal = default!;
    private Tenant _acme = default!;

    private async Task<IRenderedComponent<ApiKeysPanel>> RenderAsAdminAsync()
    {
        (_portal, _acme) = await UsePortalServicesAsync(PortalRoles.Admin);
        RenderPopovers();
        return Render<ApiKeysPanel>();
    }

    [Fact]
    public async Task Create_ShowsTheKeyOnce_ThenOnlyItsPrefixIsListed()
    {
        var panel = await RenderAsAdminAsync();

        panel.Find("[data-testid=new-api-key]").Click();
        panel.Find("input[data-testid=api-key-name]").Input("Billing sync");
        panel.Find("input[data-testid=api-key-write]").Change(true);
        panel.Find("[data-testid=api-key-form] form").Submit();

        var key = panel.WaitForElement("[data-testid=api-key-value]").TextContent;
        Assert.StartsWith("ipk_", key, StringComparison.Ordinal);
        Assert.NotNull(panel.Find("[data-testid=api-key-copy]"));
        panel.WaitForAssertion(() => Assert.Contains("Billing sync", panel.Find("[data-testid=api-keys-grid]").TextContent, StringComparison.Ordinal));
        var grid = panel.Find("[data-testid=api-keys-grid]").TextContent;
        Assert.Contains(key[..ApiKeyService.PrefixLength] + "…", grid, StringComparison.Ordinal);
        Assert.Contains("read, write", grid, StringComparison.Ordinal);
        Assert.Contains(_acme.AdminEmail, grid, StringComparison.Ordinal);
        Assert.Equal("Active", panel.Find("[data-testid=api-key-status]").TextContent.Trim());

        panel.Find("[data-testid=api-key-done]").Click();

        Assert.DoesNotContain(key, panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=api-key-value]"));
    }

    [Fact]
    public async Task NoScopeAndAPastExpiry_AreRefusedNextToTheirFields_AndNothingIsCreated()
    {
        var panel = await RenderAsAdminAsync();

        panel.Find("[data-testid=new-api-key]").Click();
        panel.Find("input[data-testid=api-key-name]").Input("Dashboard");
        panel.Find("input[data-testid=api-key-read]").Change(false);
        panel.Find("input[data-testid=api-key-expiry]").Change("2020-01-31");
        panel.Find("[data-testid=api-key-form] form").Submit();

        panel.WaitForAssertion(() => Assert.Equal("Choose read, write or both.", panel.Find("[data-testid=api-key-scopes-error]").TextContent.Trim()));
        // The date picker shows its field's message under the input.
        Assert.Contains("The expiry must be in the future.", panel.Find("[data-testid=api-key-form]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=api-key-value]"));
        await using var scope = _portal.Services.AsAdmin(_acme);
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<ApiKeyService>().ListAsync(Ct));
    }

    [Fact]
    public async Task Revoke_AsksFirst_ThenTheKeyShowsRevoked_AndAKeyMadeElsewhereAppearsWithoutReload()
    {
        var panel = await RenderAsAdminAsync();
        var dialogs = Render<MudDialogProvider>();
        await using var scope = _portal.Services.AsAdmin(_acme);
        var service = scope.ServiceProvider.GetRequiredService<ApiKeyService>();

        // Created in another tab (or by another Admin): the open list follows.
        await service.CreateAsync(new NewApiKeyInput("Nightly export", ["read"], null), Ct);
        panel.WaitForAssertion(() => Assert.Contains("Nightly export", panel.Find("[data-testid=api-keys-grid]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        panel.Find("[data-testid=api-key-revoke]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Programs using it are refused", dialogs.Markup, StringComparison.Ordinal));
        Assert.Equal("Active", panel.Find("[data-testid=api-key-status]").TextContent.Trim());
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click();

        panel.WaitForAssertion(() => Assert.Equal("Revoked", panel.Find("[data-testid=api-key-status]").TextContent.Trim()));
        Assert.Empty(panel.FindAll("[data-testid=api-key-revoke]"));
        Assert.NotNull((await service.ListAsync(Ct)).Single().RevokedAt);
    }
}
