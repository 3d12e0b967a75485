using System.Text.Json;
using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Uplinks;
using IntegrationsPortal.Features.Uplinks.Components;
using IntegrationsPortal.Tests.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Uplinks;

/// <summary>The Uplinks tab of a TTS uplink integration in bunit, on the real store, queries and tokens over a SQLite file (PostgreSQL below).</summary>
public class UplinkPanelTests : ComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private PortalServices _portal = default!;
    private Tenant _acme = default!;
    private Guid _id;

    private async Task<IRenderedComponent<UplinkPanel>> RenderAsync(IssuedUplinkToken? fromWizard = null)
    {
        (_portal, _acme) = await UsePortalServicesAsync(PortalRoles.Operator);
        // The host is built but not run: the store's writer is started as the app would.
        await _portal.Services.GetRequiredService<UplinkStore>().StartAsync(Ct);
        _id = await _portal.Services.CreateIntegrationAsync(_acme, new CreateIntegrationInput { TypeKey = TypeKeys.ThingsStackUplinks, Name = "Plant TTS" });
        var detail = await _portal.Services.GetIntegrationAsync(_acme, _id);
        if (fromWizard is not null)
        {
            Services.GetRequiredService<UplinkTokenHandoff>().Give(_id, fromWizard);
        }

        RenderPopovers();
        return Render<UplinkPanel>(p => p.Add(c => c.Detail, detail));
    }

    private async Task PushAsync(string eui, long frame)
    {
        using var document = JsonDocument.Parse(UplinkSamples.ThingsStack(eui, frame));
        var uplinks = _portal.Services.GetRequiredService<UplinkFormats>().For(TypeKeys.ThingsStackUplinks)!.Parse(document.RootElement.Clone(), QueryCollection.Empty);
        await _portal.Services.GetRequiredService<UplinkStore>().StoreAsync(_acme.OrganizationId, _id, uplinks, Ct);
    }

    private async Task<IssuedUplinkToken> IssueAsync()
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        return await scope.ServiceProvider.GetRequiredService<UplinkTokens>().IssueAsync(_id, Ct);
    }

    private async Task<UplinkAccess> AccessAsync(string token) =>
        (await _portal.Services.GetRequiredService<UplinkAuthenticator>().AuthenticateAsync(_id, token, Ct)).Access;

    [Fact]
    public async Task ShowsTheEndpointAndTheTtsHeaderField_AndTheWizardsTokenOnlyUntilDone()
    {
        var panel = await RenderAsync(new IssuedUplinkToken("upl_from-the-wizard", null));

        Assert.EndsWith(UplinksExtensions.EndpointPath(_id), panel.Find("[data-testid=uplink-endpoint]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("Additional headers", panel.Find("[data-testid=uplink-header-field]").TextContent.Trim());
        Assert.Contains(UplinkHeaders.Token, panel.Find("[data-testid=uplink-instructions]").TextContent, StringComparison.Ordinal);
        Assert.Equal("upl_from-the-wizard", panel.Find("[data-testid=uplink-token-value]").TextContent.Trim());

        panel.Find("[data-testid=uplink-token-done]").Click();

        // The panel's first load may still be running (a truly asynchronous database, PostgreSQL): the click's
        // render can land after it, so wait for the markup rather than read it at once.
        panel.WaitForAssertion(() =>
        {
            Assert.DoesNotContain("upl_from-the-wizard", panel.Markup, StringComparison.Ordinal);
            Assert.Empty(panel.FindAll("[data-testid=uplink-token-value]"));
        });
    }

    [Fact]
    public async Task Pushes_ShowLiveAsLastUplink_PerMinuteTotal_UnmappedEuiWithCount_AndRefusalsWithTheirReason()
    {
        var panel = await RenderAsync();
        Assert.Contains("none yet", panel.Find("[data-testid=uplink-last]").TextContent, StringComparison.Ordinal);

        await PushAsync(UplinkSamples.Eui, 1);
        await PushAsync(UplinkSamples.Eui, 2);
        await _portal.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<UplinkRejections>()
            .RecordAsync(_acme.OrganizationId, _id, 400, "'uplink_message' is missing or not an object.", Ct);

        panel.WaitForAssertion(() =>
        {
            Assert.Equal(UplinkSamples.Eui, panel.Find("[data-testid=uplink-unmapped-eui]").TextContent.Trim());
            Assert.Equal("2", panel.Find("[data-testid=uplink-unmapped-count]").TextContent.Trim());
            Assert.Equal("2 uplinks in the last hour", panel.Find("[data-testid=uplink-hour-total]").TextContent.Trim());
            Assert.Equal("'uplink_message' is missing or not an object.", panel.Find("[data-testid=uplink-rejected-reason]").TextContent.Trim());
        }, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("none yet", panel.Find("[data-testid=uplink-last]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_AsksFirst_ThenShowsTheNewTokenOnce_AndBothWorkDuringTheGrace()
    {
        var panel = await RenderAsync();
        var first = await IssueAsync();
        var dialogs = Render<MudDialogProvider>();
        panel.WaitForAssertion(() => Assert.Contains("Rotate token", panel.Find("[data-testid=uplink-token-rotate]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        panel.Find("[data-testid=uplink-token-rotate]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("keeps working for the grace period", dialogs.Markup, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("[data-testid=uplink-token-value]"));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Rotate").Click();

        var rotated = panel.WaitForElement("[data-testid=uplink-token-value]").TextContent.Trim();
        Assert.StartsWith("upl_", rotated, StringComparison.Ordinal);
        Assert.NotEqual(first.Token, rotated);
        Assert.NotNull(panel.Find("[data-testid=uplink-token-grace]"));
        // The integration is still pending verification here (no scheduler runs), so "known token" is what is checked.
        Assert.NotEqual(UplinkAccess.UnknownToken, await AccessAsync(first.Token));
        Assert.NotEqual(UplinkAccess.UnknownToken, await AccessAsync(rotated));
        Assert.Equal(UplinkAccess.UnknownToken, await AccessAsync("upl_never-issued"));
    }

    [Fact]
    public async Task MapToADevice_OpensTheMappingFormWithTheEui_AndSavingTakesItOffTheList()
    {
        var panel = await RenderAsync();
        await using (var scope = _portal.Services.AsAdmin(_acme))
        {
            var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
            var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
            var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Plant" }, Xunit.TestContext.Current.CancellationToken);
            await devices.CreateDeviceAsync(new DeviceInput { Name = "Boiler sensor", PlaceId = site, DeviceType = "sensor" }, Xunit.TestContext.Current.CancellationToken);
        }

        await PushAsync(UplinkSamples.Eui, 1);
        var dialogs = Render<MudDialogProvider>();
        var wait = TimeSpan.FromSeconds(30);
        await panel.WaitForElementAsync("[data-testid=uplink-map]", wait);

        // Not awaited yet: the click's handler waits for the dialog to close.
        var mapping = panel.Find("[data-testid=uplink-map]").ClickAsync(new());
        await dialogs.WaitForAssertionAsync(() => Assert.Equal(UplinkSamples.Eui, dialogs.Find("input[data-testid=mapping-external-id]").GetAttribute("value")), wait);
        await dialogs.Find("input[data-testid=resource-search]").InputAsync(new ChangeEventArgs { Value = "Boiler" });
        await dialogs.WaitForElementAsync("[data-testid='resource-option-Boiler sensor']", wait);
        await dialogs.Find("[data-testid='resource-option-Boiler sensor']").ClickAsync(new());
        await dialogs.WaitForAssertionAsync(() => Assert.False(dialogs.Find("[data-testid=mapping-save]").HasAttribute("disabled")), wait);
        await dialogs.Find("[data-testid=mapping-save]").ClickAsync(new());
        await mapping;

        await panel.WaitForAssertionAsync(() => Assert.Empty(panel.FindAll("[data-testid=uplink-unmapped-eui]")), wait);
        await using var check = _portal.Services.AsAdmin(_acme);
        Assert.Single((await check.ServiceProvider.GetRequiredService<ResourceMappingService>().ListAsync(_id, UplinkSamples.Eui, ct: Ct)).Items);
    }
}

/// <summary>The Uplinks tab over the uplink writer and queries on PostgreSQL (issue 16).</summary>
[OnPostgreSQL]
public sealed class UplinkPanelOnPostgreSQLTests : UplinkPanelTests;
