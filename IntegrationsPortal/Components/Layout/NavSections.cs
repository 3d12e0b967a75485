using MudBlazor;

namespace IntegrationsPortal.Components.Layout;

/// <summary>A top-level section of the portal, as the side navigation and breadcrumbs name it.</summary>
/// <param name="Icon">A MudBlazor icon (SVG markup from <see cref="Icons"/>).</param>
public sealed record NavSection(string Key, string Title, string Icon, string Path);

public static class NavSections
{
    public static readonly NavSection Integrations = new("integrations", "Integrations", Icons.Material.Filled.IntegrationInstructions, "/integrations");
    public static readonly NavSection Catalog = new("catalog", "Catalog", Icons.Material.Filled.Apps, "/catalog");
    public static readonly NavSection Places = new("places", "Places & devices", Icons.Material.Filled.AccountTree, "/places");
    public static readonly NavSection Flows = new("flows", "Flows", Icons.Material.Filled.AltRoute, "/flows");
    public static readonly NavSection Routing = new("routing-rules", "Routing rules", Icons.Material.Filled.CallSplit, "/routing-rules");
    public static readonly NavSection Deliveries = new("deliveries", "Delivery history", Icons.Material.Filled.History, "/deliveries");
    public static readonly NavSection Settings = new("settings", "Settings", Icons.Material.Filled.Settings, "/settings");

    public static readonly IReadOnlyList<NavSection> All = [Integrations, Catalog, Places, Flows, Routing, Deliveries, Settings];
}
