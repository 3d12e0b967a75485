using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Ingestion.Providers;

/// <summary>
/// Vehicle stats in the Samsara shape: GET /fleet/vehicles/stats/history?vehicleIds=..&amp;startTime=..&amp;endTime=..&amp;types=..
/// answers {"data":[{"id":"..","gps":[{"time":"..","latitude":..,"longitude":..}],"obdOdometerMeters":[{"time":"..","value":..}],
/// "fuelPercents":[...],"evStateOfChargeMilliPercent":[...]}],"pagination":{"endCursor":"..","hasNextPage":bool}}.
/// </summary>
[ForTypes(TypeKeys.Telematics)]
public sealed class TelematicsProvider(ProviderHttp http) : IIngressProvider
{
    private const string Name = "The telematics API";

    // Provider stat name -> our metric, unit, and the factor to that unit.
    private static readonly (string Stat, string Metric, string Unit, double Factor)[] Stats =
    [
        ("obdOdometerMeters", "odometer_km", "km", 0.001),
        ("fuelPercents", "fuel_percent", "%", 1),
        ("evStateOfChargeMilliPercent", "charge_percent", "%", 0.001),
    ];

    public async Task<IngressPage> FetchAsync(ConfiguredIntegration integration, IngressRequest request, CancellationToken ct)
    {
        if (request.ExternalIds.Count == 0)
        {
            return new IngressPage([], null);
        }

        var url = $"fleet/vehicles/stats/history?vehicleIds={Uri.EscapeDataString(string.Join(',', request.ExternalIds))}" +
                  $"&startTime={Uri.EscapeDataString(ProviderHttp.Iso(request.From))}&endTime={Uri.EscapeDataString(ProviderHttp.Iso(request.To))}" +
                  $"&types=gps,{string.Join(',', Stats.Select(s => s.Stat))}" +
                  (request.Cursor is null ? "" : $"&after={Uri.EscapeDataString(request.Cursor)}");
        using var json = await http.GetJsonAsync(integration, Name, url, ct);
        var readings = new List<ExternalReading>();
        foreach (var vehicle in ProviderHttp.Required(json.RootElement, "data", Name).EnumerateArray())
        {
            var id = ProviderHttp.Required(vehicle, "id", Name).GetString()!;
            if (vehicle.TryGetProperty("gps", out var gps))
            {
                foreach (var fix in gps.EnumerateArray())
                {
                    var time = ProviderHttp.Time(ProviderHttp.Required(fix, "time", Name), Name);
                    readings.Add(new(id, "latitude", time, ProviderHttp.Number(ProviderHttp.Required(fix, "latitude", Name), Name), "deg"));
                    readings.Add(new(id, "longitude", time, ProviderHttp.Number(ProviderHttp.Required(fix, "longitude", Name), Name), "deg"));
                }
            }

            foreach (var (stat, metric, unit, factor) in Stats)
            {
                if (vehicle.TryGetProperty(stat, out var series))
                {
                    readings.AddRange(series.EnumerateArray().Select(point => new ExternalReading(id, metric,
                        ProviderHttp.Time(ProviderHttp.Required(point, "time", Name), Name),
                        ProviderHttp.Number(ProviderHttp.Required(point, "value", Name), Name) * factor, unit)));
                }
            }
        }

        var pagination = ProviderHttp.Required(json.RootElement, "pagination", Name);
        var more = pagination.TryGetProperty("hasNextPage", out var hasNext) && hasNext.ValueKind == JsonValueKind.True;
        return new IngressPage(readings, more ? ProviderHttp.Required(pagination, "endCursor", Name).GetString() : null);
    }
}
