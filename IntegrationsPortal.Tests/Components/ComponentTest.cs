using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace IntegrationsPortal.Tests.Components;

/// <summary>
/// Base for bunit tests of components: MudBlazor's services and JS calls answered loosely
/// (MudBlazor's own interop is not what these tests check). A component that calls feature services
/// gets the real ones on a fresh SQLite file (<see cref="UsePortalServicesAsync"/>), no fakes.
/// </summary>
public abstract class ComponentTest : BunitContext
{
    private PortalServices? _portal;
    private AsyncServiceScope? _scope;

    protected ComponentTest()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        // Z.Blazor.Diagrams measures its canvas first; a loose null would break it (the flow editor's canvas).
        JSInterop.Setup<Blazor.Diagrams.Core.Geometry.Rectangle>("ZBlazorDiagrams.getBoundingClientRect", _ => true)
            .SetResult(new Blazor.Diagrams.Core.Geometry.Rectangle(0, 0, 800, 480));
    }

    /// <summary>Signs in a user of <paramref name="role"/> for components that ask CurrentUser or AuthorizeView, with no services behind.</summary>
    protected void SignIn(string role = PortalRoles.Operator)
    {
        Authorize(role);
        var user = new CurrentUser();
        user.Set(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Name, "tester@acme.test"), new(System.Security.Claims.ClaimTypes.Role, role)], "test")));
        Services.AddSingleton(user);
    }

    /// <summary>
    /// The portal's real services on a SQLite file of their own, with one organization, acting as a
    /// user of <paramref name="role"/> in it (the scope a circuit would have).
    /// </summary>
    protected async Task<(PortalServices Portal, Tenant Acme)> UsePortalServicesAsync(string role = PortalRoles.Operator)
    {
        _portal = await PortalServices.StartAsync(settings: null);
        var acme = await _portal.Services.SetUpFirstOrganizationAsync();
        _scope = _portal.Services.AsUser(acme.OrganizationId, acme.AdminUserId, acme.AdminEmail, role);
        Services.AddFallbackServiceProvider(_scope.Value.ServiceProvider);
        Authorize(role);
        return (_portal, acme);
    }

    /// <summary>Renders MudBlazor's popover host, where menus, selects and tooltips put their content.</summary>
    protected IRenderedComponent<MudPopoverProvider> RenderPopovers() => Render<MudPopoverProvider>();

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (_scope is { } scope)
        {
            await scope.DisposeAsync();
        }

        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }
    }

    private void Authorize(string role)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("tester@acme.test");
        auth.SetRoles(role);
        // The policy names the app registers (AccountsExtensions), granted as the role's permissions say.
        auth.SetPolicies([.. new[]
        {
            (PortalPolicies.CanView, PortalPermission.View),
            (PortalPolicies.CanOperate, PortalPermission.Operate),
            (PortalPolicies.CanAdminister, PortalPermission.Administer),
        }.Where(p => PortalRoles.Grants(role, p.Item2)).Select(p => p.Item1)]);
    }
}
