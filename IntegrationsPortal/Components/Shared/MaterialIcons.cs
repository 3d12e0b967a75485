using System.Collections.Frozen;
using System.Reflection;
using MudBlazor;

namespace IntegrationsPortal.Components.Shared;

/// <summary>
/// MudBlazor's SVG icon for a Material icon name ("partly_cloudy_day"). The catalog and device types
/// name their icons that way (data, and typed by operators), while MudBlazor ships icons as SVG
/// constants (<c>Icons.Material.Filled.PartlyCloudyDay</c>); this looks them up by name.
/// </summary>
public static class MaterialIcons
{
    private static readonly FrozenDictionary<string, string> ByKey = typeof(Icons.Material.Filled)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(string))
        // MudBlazor has a few pairs that differ only in case (AddChart, Addchart): one per name.
        .GroupBy(f => Key(f.Name), StringComparer.Ordinal)
        .ToFrozenDictionary(g => g.Key, g => (string)g.First().GetValue(null)!, StringComparer.Ordinal);

    // Names from the newer Material Symbols set that MudBlazor's Material Icons do not have.
    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["partlycloudyday"] = Icons.Material.Filled.WbCloudy,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The icon of that name, or <paramref name="fallback"/> (a neutral one by default) for a name MudBlazor does not know.</summary>
    public static string ByName(string? name, string? fallback = null) =>
        name is not null && TryFind(name, out var svg) ? svg : fallback ?? Icons.Material.Filled.Extension;

    /// <summary>A device type's icon: an unknown name gets a generic device rather than a puzzle piece.</summary>
    public static string ForDevice(string? name) => ByName(name, Icons.Material.Filled.Memory);

    private static bool TryFind(string name, out string svg) =>
        ByKey.TryGetValue(Key(name), out svg!) || Aliases.TryGetValue(Key(name), out svg!);

    private static string Key(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
