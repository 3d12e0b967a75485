using System.Globalization;
using System.Text.Json;
using IntegrationsPortal.Features.Ingestion;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>The numeric fields of a decoded payload as readings: metric name = field path (<c>battery.voltage</c>, <c>temps.0</c>).</summary>
public static class UplinkMetrics
{
    /// <summary>The readings table's metric column is this wide; a longer path is skipped rather than cut into a name that collides.</summary>
    private const int MaxMetricLength = 64;

    public static List<NewReading> Readings(JsonElement? decoded, string resourcePath, DateTimeOffset at)
    {
        var readings = new List<NewReading>();
        if (decoded is { } root)
        {
            Collect(root, "", readings, resourcePath, at);
        }

        return readings;
    }

    private static void Collect(JsonElement element, string path, List<NewReading> readings, string resourcePath, DateTimeOffset at)
    {
        if (readings.Count >= UplinkLimits.MetricsPerUplink)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Number when path.Length is > 0 and <= MaxMetricLength && element.TryGetDouble(out var value) && double.IsFinite(value):
                readings.Add(new NewReading(resourcePath, path, at, value, ""));
                break;
            case JsonValueKind.Object:
                foreach (var field in element.EnumerateObject())
                {
                    Collect(field.Value, Join(path, field.Name), readings, resourcePath, at);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, Join(path, index++.ToString(CultureInfo.InvariantCulture)), readings, resourcePath, at);
                }

                break;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
