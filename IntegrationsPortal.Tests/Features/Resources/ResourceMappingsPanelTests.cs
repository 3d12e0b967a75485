using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Resources.Pages;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Resources;

/// <summary>
/// The Resources components in bunit, against the real services on SQLite: the mappings panel, the
/// mapping form's rules as the operator types and picks, and the devices grid.
/// </summary>
public sealed class ResourceMappingsPanelTests : WorldComponentTest<ResourcesTestBed>
{
    private static readonly Guid Utility = Guid.CreateVersion7();
    private static readonly Guid Weather = Guid.CreateVersion7();
    private Guid _floor;
    private ResourcesAs? _resources;

    protected override async Task<ResourcesTestBed> StartAsync()
    {
#pragma warning disable CA2000 // The base class disposes the bed this returns.
        var bed = new ResourcesTestBed();
#pragma warning restore CA2000
        await bed.InitializeAsync();
        bed.Rules.Integrations[Utility] = new MappingRules(new ResourceFilter(false, ["meter"]), EachResourceOnce: true);
        _floor = await bed.PlaceAsync("Floor 1", await bed.PlaceAsync("HQ"));
        await bed.DeviceAsync("Hall thermostat", _floor, "thermostat");
        await using var r = bed.As();
        for (var i = 1; i <= 12; i++)
        {
            var meter = await bed.DeviceAsync($"Meter {i:00}", _floor, serial: $"SN-{i:00}");
            await r.Mappings.CreateAsync(Utility, new MappingInput { ExternalId = $"MPAN-{i:00}", ResourcePath = $"devices/{meter}" }, ResourcesTestBed.Ct);
        }

        // Weather is asked for by coordinates: the campus has none, the depot has both.
        bed.Rules.Integrations[Weather] = new MappingRules(ResourceFilter.PlacesOnly, EachResourceOnce: true, NeedsCoordinates: true);
        await r.Mappings.CreateAsync(Weather, new MappingInput { ExternalId = "NC-1", ResourcePath = $"places/{await bed.PlaceAsync("North Campus")}" }, ResourcesTestBed.Ct);
        var depot = await r.Places.CreatePlaceAsync(new PlaceInput { Name = "Depot", Latitude = 52.52, Longitude = 13.41 }, ResourcesTestBed.Ct);
        await r.Mappings.CreateAsync(Weather, new MappingInput { ExternalId = "DEP-1", ResourcePath = $"places/{depot}" }, ResourcesTestBed.Ct);

        // A meter nobody mapped yet, for the form to pick.
        await bed.DeviceAsync("Spare meter", _floor);
        return bed;
    }

    [Fact]
    public void Operator_SeesAPageOfMappings_WithResourcePathAndIcon_AndTheWriteButtons()
    {
        var panel = RenderPanel(PortalRoles.Operator, Utility);

        panel.WaitForAssertion(() => Assert.Equal(10, panel.FindAll("[data-testid^=mapping-row-]").Count));
        Assert.Contains("Accepts a meter; each resource once.", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=mappings-no-coordinates]")); // meters are not asked for by coordinates
        Assert.Contains("HQ / Floor 1 / Meter 12", panel.Markup, StringComparison.Ordinal); // newest first
        Assert.Matches("^places/[0-9a-f-]{36}/devices/[0-9a-f-]{36}$", panel.Find("code.mapping-path").TextContent);
        // The meter type's icon ("speed"), drawn as MudBlazor's SVG: its outline's path is there.
        var speedPath = Regex.Matches(Icons.Material.Filled.Speed, "d=\"([^\"]+)\"").Last().Groups[1].Value;
        Assert.Contains(speedPath, panel.Find(".mapping-resource svg").InnerHtml, StringComparison.Ordinal);
        Assert.NotNull(panel.Find("[data-testid=mappings-add]"));
        Assert.NotNull(panel.Find("[data-testid=mappings-import]"));
        Assert.Equal("Delete MPAN-12", panel.Find("[data-testid=mapping-delete-MPAN-12]").GetAttribute("aria-label"));
        Assert.Equal($"api/integrations/{Utility}/mappings/export", panel.Find("[data-testid=mappings-export]").GetAttribute("href"));
    }

    [Fact]
    public void WeatherMappedToAPlaceWithoutCoordinates_IsWarnedAbout_NamingThatPlaceOnly()
    {
        var panel = RenderPanel(PortalRoles.Operator, Weather);

        panel.WaitForElement("[data-testid=mapping-row-NC-1]");
        var warning = panel.WaitForElement("[data-testid=mappings-no-coordinates]").TextContent;
        Assert.Contains("No weather for 1 mapped place(s) without coordinates: North Campus (NC-1).", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("Depot", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Viewer_SeesTheMappings_ButNoWriteButtons()
    {
        var panel = RenderPanel(PortalRoles.Viewer, Utility);

        panel.WaitForElement("[data-testid=mapping-row-MPAN-12]");
        Assert.DoesNotContain("mappings-add", panel.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("mappings-import", panel.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("mapping-delete-", panel.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("mapping-edit-", panel.Markup, StringComparison.Ordinal);
    }

    /// <summary>A run's unmapped id links to the mappings tab with ?map=: the form opens with that id, the operator picks the resource.</summary>
    [Fact]
    public async Task MapExternalId_OpensTheAddForm_WithThatIdFilledIn_OnceOnly()
    {
        SignIn(PortalRoles.Operator);
        UseResources(PortalRoles.Operator);
        var dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        var panel = Render<ResourceMappingsPanel>(p => p.Add(x => x.IntegrationId, Utility).Add(x => x.MapExternalId, "MPAN-99"));

        var externalId = dialogs.WaitForElement("input[data-testid=mapping-external-id]", TimeSpan.FromSeconds(10));
        Assert.Equal("MPAN-99", externalId.GetAttribute("value"));
        Assert.Empty(dialogs.Find("[data-testid=mapping-external-id-error]").TextContent.Trim()); // a free id: nothing to refuse

        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=mapping-form]")));
        // The page re-renders the panel with the same id (a live refresh): the form stays closed.
        panel.Render(p => p.Add(x => x.MapExternalId, "MPAN-99"));
        await Task.Delay(200, ResourcesTestBed.Ct);
        Assert.Empty(dialogs.FindAll("[data-testid=mapping-form]"));
    }

    [Fact]
    public async Task MapExternalId_ForAViewer_OpensNothing()
    {
        SignIn(PortalRoles.Viewer);
        UseResources(PortalRoles.Viewer);
        var dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        var panel = Render<ResourceMappingsPanel>(p => p.Add(x => x.IntegrationId, Utility).Add(x => x.MapExternalId, "MPAN-99"));

        panel.WaitForElement("[data-testid=mapping-row-MPAN-12]");
        await Task.Delay(200, ResourcesTestBed.Ct);
        Assert.Empty(dialogs.FindAll("[data-testid=mapping-form]"));
    }

    [Fact]
    public void UnknownIntegration_SaysSo_InsteadOfAnEmptyList()
    {
        var panel = RenderPanel(PortalRoles.Operator, Guid.CreateVersion7());

        Assert.Contains("The integration was not found.", panel.Find("[data-testid=mappings-unavailable]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=mappings-grid]"));
    }

    [Fact]
    public void Search_NarrowsTheList_OnTheServer()
    {
        var panel = RenderPanel(PortalRoles.Operator, Utility);
        panel.WaitForElement("[data-testid=mapping-row-MPAN-12]");

        panel.Find("input[data-testid=mappings-search]").Input("MPAN-03");

        panel.WaitForAssertion(() => Assert.Equal(["MPAN-03"], panel.FindAll("[data-testid^=mapping-row-]").Select(e => e.TextContent)), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task MappingForm_ForAnEditedMapping_ShowsItsResource_AndIsValid()
    {
        await using var r = World.As();
        var mapping = (await r.Mappings.ListAsync(Utility, "MPAN-03", ct: ResourcesTestBed.Ct)).Items.Single();

        var dialogs = await OpenFormAsync(mapping);

        Assert.Contains("Resource: a meter", dialogs.Markup, StringComparison.Ordinal);
        Assert.Contains("HQ / Floor 1 / Meter 03", dialogs.Find("[data-testid=mapping-picked]").TextContent, StringComparison.Ordinal);
        Assert.Equal("", dialogs.Find("[data-testid=mapping-resource-error]").TextContent);
        Assert.NotNull(dialogs.Find("[data-testid=resource-node-HQ]"));
        Assert.False(dialogs.Find("[data-testid=mapping-save]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task MappingForm_RefusesATakenExternalId_AsYouType_AndOnlyOnceTouched()
    {
        var dialogs = await OpenFormAsync(null);

        Assert.Equal("", dialogs.Find("[data-testid=mapping-external-id-error]").TextContent);
        dialogs.Find("input[data-testid=mapping-external-id]").Input("MPAN-01");

        dialogs.WaitForAssertion(() => Assert.Equal("'MPAN-01' is already mapped in this integration.", dialogs.Find("[data-testid=mapping-external-id-error]").TextContent));
        Assert.Equal("", dialogs.Find("[data-testid=mapping-resource-error]").TextContent); // not picked yet: no reason shown
        Assert.True(dialogs.Find("[data-testid=mapping-save]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task MappingForm_RefusesAMeterMappedOnce_OffersNoThermostat_AndSavesAFreeMeter()
    {
        var dialogs = await OpenFormAsync(null);
        dialogs.Find("input[data-testid=mapping-external-id]").Input("MPAN-99");

        dialogs.Find("input[data-testid=resource-search]").Input("e");
        dialogs.WaitForElement("[data-testid='resource-option-Meter 01']");
        Assert.Empty(dialogs.FindAll("[data-testid='resource-option-Hall thermostat']"));
        dialogs.Find("[data-testid='resource-option-Meter 01']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("already mapped to 'MPAN-01'", dialogs.Find("[data-testid=mapping-resource-error]").TextContent, StringComparison.Ordinal));
        Assert.True(dialogs.Find("[data-testid=mapping-save]").HasAttribute("disabled"));

        dialogs.Find("[data-testid='resource-option-Spare meter']").Click();
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=mapping-save]").HasAttribute("disabled")));
        dialogs.Find("[data-testid=mapping-save]").Click();

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=mapping-form]")));
        await using var r = World.As();
        Assert.Equal("HQ / Floor 1 / Spare meter", (await r.Mappings.ListAsync(Utility, "MPAN-99", ct: ResourcesTestBed.Ct)).Items.Single().Resource!.Breadcrumb);
    }

    [Fact]
    public async Task DevicesGrid_ListsThePlacesDevices_WithNamedRowButtons_AndDeletesAfterConfirming()
    {
        SignIn(PortalRoles.Operator);
        var r = UseResources(PortalRoles.Operator);
        var tree = await r.Places.GetTreeAsync(ResourcesTestBed.Ct);
        var dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        var grid = Render<DevicesPanel>(p => p.Add(x => x.PlaceId, _floor).Add(x => x.Tree, tree));

        grid.WaitForElement("[data-testid='device-row-Meter 01']");
        var row = grid.Find("[data-testid='device-row-Meter 01']").Closest("tr")!;
        Assert.Contains("Meter", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("SN-01", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("Delete Meter 01", grid.Find("[data-testid='device-delete-Meter 01']").GetAttribute("aria-label"));
        Assert.Equal("Edit or move Meter 01", grid.Find("[data-testid='device-edit-Meter 01']").GetAttribute("aria-label"));

        grid.Find("[data-testid='device-delete-Hall thermostat']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Delete the device 'Hall thermostat'? This cannot be undone.", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        grid.WaitForAssertion(() => Assert.Empty(grid.FindAll("[data-testid='device-row-Hall thermostat']")));
        Assert.DoesNotContain((await r.Devices.ListDevicesAsync(_floor, ResourcesTestBed.Ct)), d => d.Name == "Hall thermostat");
    }

    [Fact]
    public async Task DevicesGrid_ForAViewer_HasNoRowButtons()
    {
        SignIn(PortalRoles.Viewer);
        var r = UseResources(PortalRoles.Viewer);
        var tree = await r.Places.GetTreeAsync(ResourcesTestBed.Ct);
        RenderPopovers();

        var grid = Render<DevicesPanel>(p => p.Add(x => x.PlaceId, _floor).Add(x => x.Tree, tree));

        grid.WaitForElement("[data-testid='device-row-Meter 01']");
        Assert.Empty(grid.FindAll("[data-testid^=device-delete-]"));
        Assert.Empty(grid.FindAll("[data-testid^=device-edit-]"));
        Assert.Empty(grid.FindAll("[data-testid=device-add]"));
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenFormAsync(ResourceMappingSummary? mapping)
    {
        SignIn(PortalRoles.Operator);
        UseResources(PortalRoles.Operator);
        var dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        var service = Services.GetRequiredService<IDialogService>();
        await dialogs.InvokeAsync(() => service.ShowAsync<MappingFormDialog>("Mapping", new DialogParameters<MappingFormDialog>
        {
            { d => d.IntegrationId, Utility },
            { d => d.Rules, World.Rules.Integrations[Utility] },
            { d => d.Mapping, mapping },
        }));
        dialogs.WaitForElement("[data-testid=mapping-form]");
        return dialogs;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        if (_resources is not null)
        {
            await _resources.DisposeAsync();
        }

        await base.DisposeAsyncCore();
    }

    private IRenderedComponent<ResourceMappingsPanel> RenderPanel(string role, Guid integrationId)
    {
        SignIn(role);
        UseResources(role);
        RenderPopovers();
        return Render<ResourceMappingsPanel>(p => p.Add(x => x.IntegrationId, integrationId));
    }

    /// <summary>The Resources services of a <paramref name="role"/> of Acme, kept for the test (disposed with the portal).</summary>
    private ResourcesAs UseResources(string role)
    {
        var r = _resources = World.As(role: role);
        Services.AddSingleton(r.Places);
        Services.AddSingleton(r.Devices);
        Services.AddSingleton(r.DeviceImport);
        Services.AddSingleton(r.Paths);
        Services.AddSingleton(r.Mappings);
        Use(r.Services, typeof(ReadingQueries), typeof(IntegrationsPortal.Features.Uplinks.UplinkQueries));
        return r;
    }
}
