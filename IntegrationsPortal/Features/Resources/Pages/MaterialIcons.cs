using System.Collections.Frozen;
using System.Reflection;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// Device types name their icon as a Material icon name ("speed", "local_shipping"), as operators type
/// it in the device-type dialog. The portal draws MudBlazor's SVG icons (no icon font is served), so the
/// name is looked up among them; an unknown name gets a generic device icon rather than nothing.
/// </summary>
public static class MaterialIcons
{
    private static readonly FrozenDictionary<string, string> ByName = typeof(Icons.Material.Filled)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(string))
        // Names differing only in case (AddChart, Addchart) are the same icon to an operator.
        .DistinctBy(f => f.Name, StringComparer.OrdinalIgnoreCase)
        .ToFrozenDictionary(f => f.Name, f => (string)f.GetValue(null)!, StringComparer.OrdinalIgnoreCase);

    public static string Svg(string? name) =>
        name is not null && ByName.TryGetValue(name.Replace("_", "", StringComparison.Ordinal), out var svg) ? svg : Icons.Material.Filled.Memory;
}
