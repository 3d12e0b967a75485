using System.Security.Claims;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Resources.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using Radzen;

namespace IntegrationsPortal.Tests.Features.Resources;

/// <summary>
/// The panel's markup through <see cref="HtmlRenderer"/>, against the real services on SQLite. It has
/// no page of its own until the integration detail page hosts it, so Chromium cannot reach it yet.
/// </summary>
public sealed class ResourceMappingsPanelTests : ResourcesTestBed
{
    private static readonly Guid Utility = Guid.CreateVersion7();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Rules.Integrations[Utility] = new MappingRules(new ResourceFilter(false, ["meter"]), EachResourceOnce: true);
        var floor = await PlaceAsync("Floor 1", await PlaceAsync("HQ"));
        await using var r = As();
        for (var i = 1; i <= 12; i++)
        {
            var meter = await DeviceAsync($"Meter {i:00}", floor);
            await r.Mappings.CreateAsync(Utility, new MappingInput { ExternalId = $"MPAN-{i:00}", ResourcePath = $"devices/{meter}" }, Ct);
        }
    }

    [Fact]
    public async Task Operator_SeesAPageOfMappings_WithResourcePathAndIcon_AndTheWriteButtons()
    {
        var html = await RenderAsync(PortalRoles.Operator, Utility);

        Assert.Contains("Accepts a meter; each resource once.", html, StringComparison.Ordinal);
        Assert.Equal(10, Regex.Count(html, "data-testid=\"mapping-row-"));
        Assert.Contains("HQ / Floor 1 / Meter 12", html, StringComparison.Ordinal); // newest first
        Assert.Matches("<code class=\"mapping-path\"[^>]*>places/[0-9a-f-]{36}/devices/[0-9a-f-]{36}</code>", html);
        Assert.Contains(">speed<", html, StringComparison.Ordinal); // the meter icon
        Assert.Contains("data-testid=\"mappings-add\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"mappings-import\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"mapping-delete-MPAN-12\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"api/integrations/{Utility}/mappings/export\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_SeesTheMappings_ButNoWriteButtons()
    {
        var html = await RenderAsync(PortalRoles.Viewer, Utility);

        Assert.Contains("data-testid=\"mapping-row-MPAN-12\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("mappings-add", html, StringComparison.Ordinal);
        Assert.DoesNotContain("mappings-import", html, StringComparison.Ordinal);
        Assert.DoesNotContain("mapping-delete-", html, StringComparison.Ordinal);
        Assert.DoesNotContain("mapping-edit-", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownIntegration_SaysSo_InsteadOfAnEmptyList()
    {
        var html = await RenderAsync(PortalRoles.Operator, Guid.CreateVersion7());

        Assert.Contains("The integration was not found.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("mappings-grid", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MappingForm_ForAnEditedMapping_ShowsItsResource_AndIsValid()
    {
        await using var r = As();
        var mapping = (await r.Mappings.ListAsync(Utility, "MPAN-03", ct: Ct)).Items.Single();

        var html = await RenderAsync<MappingFormDialog>(PortalRoles.Operator, new Dictionary<string, object?>
        {
            [nameof(MappingFormDialog.IntegrationId)] = Utility,
            [nameof(MappingFormDialog.Rules)] = Rules.Integrations[Utility],
            [nameof(MappingFormDialog.Mapping)] = mapping,
        });

        Assert.Contains("Resource: a meter", html, StringComparison.Ordinal);
        Assert.Contains("HQ / Floor 1 / Meter 03", html, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"mapping-resource-error\"[^>]*></div>", html);
        Assert.Contains("data-testid=\"resource-node-HQ\"", html, StringComparison.Ordinal);
    }

    private Task<string> RenderAsync(string role, Guid integrationId) =>
        RenderAsync<ResourceMappingsPanel>(role, new Dictionary<string, object?> { [nameof(ResourceMappingsPanel.IntegrationId)] = integrationId });

    private async Task<string> RenderAsync<TComponent>(string role, Dictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var resources = As(role: role);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRadzenComponents();
        services.AddSingleton(resources.Mappings);
        services.AddSingleton(resources.Paths);
        services.AddSingleton<IJSRuntime, NoJsRuntime>();
        services.AddSingleton<NavigationManager, StaticNavigationManager>();
        services.AddAuthorizationCore(options =>
        {
            options.AddPolicy(PortalPolicies.CanView, p => p.RequireRole(PortalRoles.Admin, PortalRoles.Operator, PortalRoles.Viewer));
            options.AddPolicy(PortalPolicies.CanOperate, p => p.RequireRole(PortalRoles.Admin, PortalRoles.Operator));
        });
        services.AddCascadingAuthenticationState();
        services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationState(role));
        await using var provider = services.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, provider.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    private sealed class FixedAuthenticationState(string role) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, "tester"), new Claim(ClaimTypes.Role, role)], "test"))));
    }

    private sealed class StaticNavigationManager : NavigationManager
    {
        public StaticNavigationManager() => Initialize("http://localhost/", "http://localhost/");
    }

    /// <summary>Static rendering runs no script; Radzen's calls after render never happen.</summary>
    private sealed class NoJsRuntime : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => ValueTask.FromResult(default(TValue)!);

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            ValueTask.FromResult(default(TValue)!);
    }
}
