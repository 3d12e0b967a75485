using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace IntegrationsPortal.Tests.Components;

/// <summary>
/// Base for bunit tests of components: MudBlazor's services, JS calls answered loosely (MudBlazor's
/// own interop is not what these tests check), and a signed-in user of the given role for
/// components that ask <see cref="CurrentUser"/> or AuthorizeView what the user may do.
/// </summary>
public abstract class ComponentTest : BunitContext
{
    protected ComponentTest()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Signs in a user of <paramref name="role"/> (Operator unless told) for this test.</summary>
    protected CurrentUser SignIn(string role = PortalRoles.Operator)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("tester@acme.test");
        auth.SetRoles(role);
        // The same policy names the app registers (AccountsExtensions), granted as the role's permissions say.
        auth.SetPolicies([.. new[]
        {
            (PortalPolicies.CanView, PortalPermission.View),
            (PortalPolicies.CanOperate, PortalPermission.Operate),
            (PortalPolicies.CanAdminister, PortalPermission.Administer),
        }.Where(p => PortalRoles.Grants(role, p.Item2)).Select(p => p.Item1)]);
        var user = new CurrentUser();
        user.Set(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Name, "tester@acme.test"), new(System.Security.Claims.ClaimTypes.Role, role)], "test")));
        Services.AddSingleton(user);
        return user;
    }

    /// <summary>Renders MudBlazor's popover host, where menus, selects and tooltips put their content.</summary>
    protected IRenderedComponent<MudPopoverProvider> RenderPopovers() => Render<MudPopoverProvider>();
}
