using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IntegrationsPortal.Features.Flows;

/// <summary>
/// <c>{{field}}</c> placeholders in destination parameters (topic, subject, SMS text): replaced by the
/// message's field of that name, <c>{{device.name}}</c> for a nested one. A missing field renders as
/// nothing, so one odd message does not stop a flow.
/// </summary>
public static partial class FlowTemplate
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z0-9_$]+)*)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>Null when the template is well formed; else what is wrong with it.</summary>
    public static string? Problem(string template)
    {
        var rest = Placeholder().Replace(template, "");
        return rest.Contains("{{", StringComparison.Ordinal) || rest.Contains("}}", StringComparison.Ordinal)
            ? "A placeholder is not closed or names no field: write {{field}} or {{device.name}}."
            : null;
    }

    public static string Render(string template, JsonElement message) =>
        Placeholder().Replace(template, match => Text(Lookup(message, match.Groups[1].Value)));

    private static JsonElement? Lookup(JsonElement message, string path)
    {
        var at = message;
        foreach (var part in path.Split('.'))
        {
            if (at.ValueKind == JsonValueKind.Object && at.TryGetProperty(part, out var next))
            {
                at = next;
            }
            else if (at.ValueKind == JsonValueKind.Array && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < at.GetArrayLength())
            {
                at = at[i];
            }
            else
            {
                return null;
            }
        }

        return at;
    }

    private static string Text(JsonElement? value) => value switch
    {
        null => "",
        { ValueKind: JsonValueKind.String } s => s.GetString() ?? "",
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "",
        { } other => other.GetRawText(),
    };
}
