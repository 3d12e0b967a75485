using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace IntegrationsPortal.Components.Layout;

public partial class MainLayout
{
    private bool drawerOpen = true;
    private bool darkMode;
    private bool themeChosenHere;
    private PageErrorBoundary? errorBoundary;

    /// <summary>The mode the server read from the theme cookie (Routes cascades it).</summary>
    [CascadingParameter(Name = PortalTheme.CookieName)]
    public bool DarkModeAtStart { get; set; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    protected override void OnParametersSet()
    {
        if (!themeChosenHere)
        {
            darkMode = DarkModeAtStart;
        }

        // A page that failed stays failed only until the operator goes elsewhere.
        errorBoundary?.Recover();
    }

    private async Task ToggleThemeAsync()
    {
        darkMode = !darkMode;
        themeChosenHere = true;
        await JS.InvokeVoidAsync("portal.rememberTheme", darkMode ? "dark" : "light");
    }
}
