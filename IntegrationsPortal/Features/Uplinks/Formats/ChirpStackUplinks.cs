using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using static IntegrationsPortal.Features.Uplinks.UplinkJson;

namespace IntegrationsPortal.Features.Uplinks.Formats;

/// <summary>
/// ChirpStack v4's HTTP integration, JSON encoding. Every event is POSTed to the same URL with
/// <c>?event=up|join|status|ack|txack|log|location|integration</c>; only <c>up</c> carries data:
/// <c>deduplicationId</c>, <c>time</c>, <c>deviceInfo.devEui</c>, <c>fPort</c>, <c>fCnt</c>,
/// <c>data</c> (base64), <c>object</c> (the codec's output) and <c>rxInfo[]</c> with <c>rssi</c> and <c>snr</c>.
/// </summary>
[ForTypes(TypeKeys.ChirpStackUplinks)]
public sealed class ChirpStackUplinks : IUplinkFormat
{
    public IReadOnlyList<ParsedUplink> Parse(JsonElement body, IQueryCollection query)
    {
        // Without the parameter (a hand-made request) the body is taken as an uplink.
        if (query.TryGetValue("event", out var kind) && !string.Equals(kind, "up", StringComparison.Ordinal))
        {
            return [];
        }

        var eui = Eui(String(Object(body, "deviceInfo"), "devEui"));
        var frame = OptionalInteger(body, "fCnt");
        var (rssi, snr) = BestGateway(Optional(body, "rxInfo"));
        return
        [
            new ParsedUplink(eui, String(body, "deduplicationId"), Time(body, "time"), (int?)OptionalInteger(body, "fPort"), frame,
                OptionalString(body, "data"), rssi, snr, Optional(body, "object"), body),
        ];
    }
}
