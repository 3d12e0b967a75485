using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using static IntegrationsPortal.Features.Uplinks.UplinkJson;

namespace IntegrationsPortal.Features.Uplinks.Formats;

/// <summary>
/// The portal's own shape for anything that is not a LoRaWAN network: <c>{"device", "time", "metrics"}</c>,
/// or an array of them. An optional <c>id</c> names the uplink; without one, device and time do.
/// </summary>
[ForTypes(TypeKeys.HttpUplinks)]
public sealed class HttpUplinks : IUplinkFormat
{
    public IReadOnlyList<ParsedUplink> Parse(JsonElement body, IQueryCollection query)
    {
        if (body.ValueKind == JsonValueKind.Array)
        {
            var items = body.EnumerateArray().ToList();
            return items.Count == 0
                ? throw new UplinkRejectedException("The array is empty.")
                : items.Select((item, index) => One(item, $"[{index}]")).ToList();
        }

        return [One(body, "")];
    }

    private static ParsedUplink One(JsonElement item, string where)
    {
        try
        {
            var device = DeviceId(String(item, "device"));
            var time = Time(item, "time");
            var metrics = Object(item, "metrics");
            var dedup = OptionalString(item, "id") ?? $"{device}:{time.UtcTicks}";
            return new ParsedUplink(device, dedup, time, null, null, null, null, null, metrics, item);
        }
        catch (UplinkRejectedException error) when (where.Length > 0)
        {
            throw new UplinkRejectedException($"{where}: {error.Message}");
        }
    }
}
