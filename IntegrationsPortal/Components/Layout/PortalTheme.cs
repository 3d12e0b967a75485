using MudBlazor;

namespace IntegrationsPortal.Components.Layout;

/// <summary>
/// The portal's colours and type, and the operator's light/dark choice. The choice lives in a cookie
/// so the server renders the first paint in the right mode (no light flash before the circuit starts);
/// the circuit cannot set cookies, so the browser writes it (wwwroot/js/portal.js).
/// </summary>
public static class PortalTheme
{
    public const string CookieName = "portal-theme";

    public static bool IsDark(HttpContext? context) => context?.Request.Cookies[CookieName] == "dark";

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3f3dc8",
            Secondary = "#6a1b9a",
            Tertiary = "#1565c0",
            AppbarBackground = "#ffffff",
            AppbarText = "#1f2230",
            Background = "#f6f7fb",
            DrawerBackground = "#ffffff",
            // Dark enough for white text on a snackbar that MudBlazor draws slightly translucent.
            Success = "#1b5e20",
            Warning = "#8a5a00",
            Error = "#c62828",
            Info = "#1565c0",
            // Secondary text must keep a 4.5:1 contrast on white (axe's colour-contrast rule).
            TextSecondary = "rgba(0,0,0,0.68)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9d9bff",
            // Light colours on dark need dark text on filled buttons (4.5:1, axe's colour-contrast rule).
            PrimaryContrastText = "#12131b",
            Secondary = "#ce93d8",
            SecondaryContrastText = "#12131b",
            Tertiary = "#90caf9",
            TertiaryContrastText = "#12131b",
            ErrorContrastText = "#12131b",
            SuccessContrastText = "#12131b",
            InfoContrastText = "#12131b",
            WarningContrastText = "#12131b",
            AppbarBackground = "#1b1d2a",
            Background = "#12131b",
            Surface = "#1b1d2a",
            DrawerBackground = "#1b1d2a",
            // MudBlazor's dark default (half-transparent white) is below 4.5:1 on this drawer.
            DrawerText = "rgba(255,255,255,0.87)",
            DrawerIcon = "rgba(255,255,255,0.87)",
            Success = "#81c784",
            Warning = "#ffb74d",
            Error = "#ef9a9a",
            Info = "#90caf9",
            TextSecondary = "rgba(255,255,255,0.75)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Roboto", "Segoe UI", "Helvetica", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
