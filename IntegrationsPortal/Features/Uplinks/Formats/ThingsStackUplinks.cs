using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using static IntegrationsPortal.Features.Uplinks.UplinkJson;

namespace IntegrationsPortal.Features.Uplinks.Formats;

/// <summary>
/// The Things Stack v3 webhook's uplink message: <c>end_device_ids.dev_eui</c>, <c>received_at</c>, and
/// <c>uplink_message</c> with <c>f_port</c>, <c>f_cnt</c>, <c>frm_payload</c> (base64),
/// <c>decoded_payload</c> and <c>rx_metadata[]</c> (one per gateway, with <c>rssi</c> and <c>snr</c>).
/// </summary>
[ForTypes(TypeKeys.ThingsStackUplinks)]
public sealed class ThingsStackUplinks : IUplinkFormat
{
    public IReadOnlyList<ParsedUplink> Parse(JsonElement body, IQueryCollection query)
    {
        var ids = Object(body, "end_device_ids");
        if (Optional(body, "uplink_message") is not { ValueKind: JsonValueKind.Object } message)
        {
            // Join accepts, downlink events and the like arrive on the same webhook when enabled there.
            return [];
        }

        // A device registered without a DevEUI (ABP) is known by its device id.
        var eui = Eui(OptionalString(ids, "dev_eui") ?? String(ids, "device_id"));
        var frame = OptionalInteger(message, "f_cnt");
        var (rssi, snr) = BestGateway(Optional(message, "rx_metadata"));
        // The session key id changes on every join, when the frame counter starts again from 0.
        var session = OptionalString(message, "session_key_id") ?? "";
        var dedup = frame is null
            ? $"{eui}:{String(body, "received_at")}"
            : $"{eui}:{session}:{frame}";
        return
        [
            new ParsedUplink(eui, dedup, Time(body, "received_at"), (int?)OptionalInteger(message, "f_port"), frame,
                OptionalString(message, "frm_payload"), rssi, snr, Optional(message, "decoded_payload"), body),
        ];
    }
}
