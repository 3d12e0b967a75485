using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Ingestion.Providers;

/// <summary>
/// Utility interval data in the UtilityAPI shape: GET /api/v2/intervals?meters=..&amp;start=..&amp;end=..
/// answers {"intervals":[{"meter_uid":"..","readings":[{"start":"..","end":"..","kwh":0.42}]}],"next":cursor|null}.
/// </summary>
[ForTypes(TypeKeys.UtilityData)]
public sealed class UtilityDataProvider(ProviderHttp http) : IIngressProvider
{
    private const string Name = "The utility-data API";

    public async Task<IngressPage> FetchAsync(ConfiguredIntegration integration, IngressRequest request, CancellationToken ct)
    {
        if (request.ExternalIds.Count == 0)
        {
            return new IngressPage([], null);
        }

        var url = $"api/v2/intervals?meters={Uri.EscapeDataString(string.Join(',', request.ExternalIds))}" +
                  $"&start={Uri.EscapeDataString(ProviderHttp.Iso(request.From))}&end={Uri.EscapeDataString(ProviderHttp.Iso(request.To))}" +
                  (request.Cursor is null ? "" : $"&next={Uri.EscapeDataString(request.Cursor)}");
        using var json = await http.GetJsonAsync(integration, Name, url, ct);
        var readings = new List<ExternalReading>();
        foreach (var interval in ProviderHttp.Required(json.RootElement, "intervals", Name).EnumerateArray())
        {
            var meter = ProviderHttp.Required(interval, "meter_uid", Name).GetString() ?? throw new ProviderFormatException($"{Name} sent a meter without an id.");
            foreach (var reading in ProviderHttp.Required(interval, "readings", Name).EnumerateArray())
            {
                // An interval's reading belongs to its start, as utilities bill it.
                readings.Add(new ExternalReading(meter, "energy_kwh", ProviderHttp.Time(ProviderHttp.Required(reading, "start", Name), Name),
                    ProviderHttp.Number(ProviderHttp.Required(reading, "kwh", Name), Name), "kWh"));
            }
        }

        var next = json.RootElement.TryGetProperty("next", out var cursor) && cursor.ValueKind == JsonValueKind.String ? cursor.GetString() : null;
        return new IngressPage(readings, next);
    }
}
