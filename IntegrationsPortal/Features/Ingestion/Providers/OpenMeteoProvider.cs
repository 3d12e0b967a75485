using System.Globalization;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Ingestion.Providers;

/// <summary>
/// Hourly weather in the Open-Meteo shape, per mapped place's coordinates:
/// GET /v1/forecast?latitude=..&amp;longitude=..&amp;hourly=..&amp;start_date=..&amp;end_date=..&amp;timezone=UTC answers
/// {"hourly":{"time":["2025-01-01T00:00",..],"temperature_2m":[..]},"hourly_units":{"temperature_2m":"°C"}}.
/// One request per place; the cursor is the index of the next place.
/// </summary>
[ForTypes(TypeKeys.OpenMeteo)]
public sealed class OpenMeteoProvider(ProviderHttp http) : IIngressProvider
{
    private const string Name = "The weather API";

    public async Task<IngressPage> FetchAsync(ConfiguredIntegration integration, IngressRequest request, CancellationToken ct)
    {
        var index = request.Cursor is null ? 0 : int.Parse(request.Cursor, CultureInfo.InvariantCulture);
        if (index >= request.Places.Count)
        {
            return new IngressPage([], null);
        }

        var place = request.Places[index];
        var variables = integration.Get("variables") ?? "temperature_2m";
        var apiKey = integration.Get("api_key") is { Length: > 0 } key ? $"&apikey={Uri.EscapeDataString(key)}" : "";
        var url = string.Create(CultureInfo.InvariantCulture,
            $"v1/forecast?latitude={place.Latitude}&longitude={place.Longitude}&hourly={Uri.EscapeDataString(variables)}" +
            $"&start_date={request.From.UtcDateTime:yyyy-MM-dd}&end_date={request.To.AddTicks(-1).UtcDateTime:yyyy-MM-dd}&timezone=UTC{apiKey}");
        using var json = await http.GetJsonAsync(integration, Name, url, ct);
        var hourly = ProviderHttp.Required(json.RootElement, "hourly", Name);
        var units = json.RootElement.TryGetProperty("hourly_units", out var u) ? u : default;
        var times = ProviderHttp.Required(hourly, "time", Name).EnumerateArray()
            .Select(t => ProviderHttp.Time(t, Name)).ToList();
        var readings = new List<ExternalReading>();
        foreach (var variable in variables.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var values = ProviderHttp.Required(hourly, variable, Name).EnumerateArray().ToList();
            if (values.Count != times.Count)
            {
                throw new ProviderFormatException($"{Name} sent {values.Count} values of {variable} for {times.Count} times.");
            }

            var unit = units.ValueKind == System.Text.Json.JsonValueKind.Object && units.TryGetProperty(variable, out var unitText) ? unitText.GetString() ?? "" : "";
            for (var i = 0; i < times.Count; i++)
            {
                // Open-Meteo sends null for hours it has no value for; skip them rather than invent a zero.
                if (values[i].ValueKind != System.Text.Json.JsonValueKind.Null && times[i] >= request.From && times[i] < request.To)
                {
                    readings.Add(new ExternalReading(place.ExternalId, variable, times[i], ProviderHttp.Number(values[i], Name), unit));
                }
            }
        }

        return new IngressPage(readings, index + 1 < request.Places.Count ? (index + 1).ToString(CultureInfo.InvariantCulture) : null);
    }
}
