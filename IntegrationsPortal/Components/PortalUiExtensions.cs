using MudBlazor;
using MudBlazor.Services;

namespace IntegrationsPortal.Components;

public static class PortalUiExtensions
{
    /// <summary>The interactive-server Razor components and MudBlazor's services (dialogs, snackbars, popovers).</summary>
    public static IServiceCollection AddPortalUi(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices(options =>
        {
            var snackbar = options.SnackbarConfiguration;
            snackbar.PositionClass = Defaults.Classes.Position.BottomRight;
            snackbar.PreventDuplicates = false;
            snackbar.VisibleStateDuration = 4000;
            snackbar.ShowCloseIcon = true;
        });

        return services;
    }
}
