using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using static IntegrationsPortal.Features.Uplinks.UplinkJson;

namespace IntegrationsPortal.Features.Uplinks.Formats;

/// <summary>
/// The Helium Console HTTP integration's uplink: <c>dev_eui</c>, <c>fcnt</c>, <c>port</c>, <c>payload</c>
/// (base64), <c>reported_at</c> (Unix milliseconds), <c>decoded.payload</c> (the Console decoder's output)
/// and <c>hotspots[]</c> with <c>rssi</c> and <c>snr</c>. With de-duplication off the Console sends one
/// copy per hotspot: same EUI and frame counter, stored once.
/// </summary>
[ForTypes(TypeKeys.HeliumUplinks)]
public sealed class HeliumUplinks : IUplinkFormat
{
    public IReadOnlyList<ParsedUplink> Parse(JsonElement body, IQueryCollection query)
    {
        var eui = Eui(String(body, "dev_eui"));
        var frame = OptionalInteger(body, "fcnt") ?? throw new UplinkRejectedException("'fcnt' is missing or not an integer.");
        var reportedAt = OptionalInteger(body, "reported_at") ?? throw new UplinkRejectedException("'reported_at' is missing or not Unix milliseconds.");
        var (rssi, snr) = BestGateway(Optional(body, "hotspots"));
        var decoded = Optional(body, "decoded") is { } wrapper ? Optional(wrapper, "payload") : null;
        return
        [
            new ParsedUplink(eui, $"{eui}:{frame}", DateTimeOffset.FromUnixTimeMilliseconds(reportedAt), (int?)OptionalInteger(body, "port"), frame,
                OptionalString(body, "payload"), rssi, snr, decoded, body),
        ];
    }
}
