namespace IntegrationsPortal.Components.Layout;

/// <summary>A top-level section of the portal, as the side navigation and breadcrumbs name it.</summary>
public sealed record NavSection(string Key, string Title, string Icon, string Path);

public static class NavSections
{
    public static readonly NavSection Integrations = new("integrations", "Integrations", "integration_instructions", "/integrations");
    public static readonly NavSection Catalog = new("catalog", "Catalog", "apps", "/catalog");
    public static readonly NavSection Places = new("places", "Places & devices", "account_tree", "/places");
    public static readonly NavSection Flows = new("flows", "Flows", "alt_route", "/flows");
    public static readonly NavSection Deliveries = new("deliveries", "Delivery history", "history", "/deliveries");
    public static readonly NavSection Settings = new("settings", "Settings", "settings", "/settings");

    public static readonly IReadOnlyList<NavSection> All = [Integrations, Catalog, Places, Flows, Deliveries, Settings];
}
