using MudBlazor;
using MudBlazor.Services;
using Radzen;

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

        // TRANSITION (issue 12, converted in two halves): pages still on Radzen keep working until the
        // last one moves. Delete this line, the TRANSITION lines in App.razor, MainLayout.razor and
        // app.css, and the package then.
        services.AddRadzenComponents();
        return services;
    }
}
