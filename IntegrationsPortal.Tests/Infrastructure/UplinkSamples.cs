using System.Globalization;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// One uplink per network in the shape its public documentation describes, written for these tests:
/// a decoded payload with a nested numeric field, two gateways of which the second hears best.
/// </summary>
public static class UplinkSamples
{
    public const string Eui = "70B3D57ED005A1B2";

    public static readonly DateTimeOffset ReceivedAt = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public sealed record Sample(string TypeKey, Func<string, long, string> Body);

    public static readonly IReadOnlyList<Sample> All = [new("helium-uplinks", Helium), new("tts-uplinks", ThingsStack), new("chirpstack-uplinks", ChirpStack), new("http-uplinks", Http)];

    public static Sample Of(string typeKey) => All.Single(s => s.TypeKey == typeKey);

    /// <summary>Helium Console HTTP integration: reported_at in Unix ms, decoded.payload, hotspots[].</summary>
    public static string Helium(string eui, long frame) => $$"""
        {
          "app_eui": "6081F9A1B2C3D4E5", "dev_eui": "{{eui}}", "devaddr": "48000012", "fcnt": {{frame}}, "port": 2,
          "id": "5f1c6a3e-3b52-4c8e-9d8f-2a1b3c4d5e6f", "name": "boiler-sensor", "payload": "AQIDBA==", "payload_size": 4,
          "reported_at": {{ReceivedAt.ToUnixTimeMilliseconds()}},
          "decoded": { "status": "success", "payload": { "temperature": 21.5, "battery": { "voltage": 3.61 }, "label": "ok" } },
          "hotspots": [
            { "id": "11aBc", "name": "small-red-fox", "reported_at": {{ReceivedAt.ToUnixTimeMilliseconds()}}, "rssi": -112.0, "snr": 2.5, "spreading": "SF9BW125", "frequency": 904.1 },
            { "id": "11dEf", "name": "quiet-blue-owl", "reported_at": {{ReceivedAt.ToUnixTimeMilliseconds()}}, "rssi": -87.0, "snr": 9.75, "spreading": "SF9BW125", "frequency": 904.1 }
          ],
          "metadata": { "labels": [], "organization_id": "b2c3" }
        }
        """;

    /// <summary>The Things Stack v3 webhook uplink message.</summary>
    public static string ThingsStack(string eui, long frame) => $$"""
        {
          "end_device_ids": { "device_id": "boiler-sensor", "application_ids": { "application_id": "plant" }, "dev_eui": "{{eui}}", "join_eui": "0000000000000000", "dev_addr": "260B1234" },
          "correlation_ids": [ "as:up:01HX" ],
          "received_at": "{{Iso(ReceivedAt)}}",
          "uplink_message": {
            "session_key_id": "AY4k9Q==", "f_port": 2, "f_cnt": {{frame}}, "frm_payload": "AQIDBA==",
            "decoded_payload": { "temperature": 21.5, "battery": { "voltage": 3.61 }, "label": "ok" },
            "rx_metadata": [
              { "gateway_ids": { "gateway_id": "gw-north", "eui": "B827EBFFFE000001" }, "rssi": -112, "channel_rssi": -112, "snr": 2.5 },
              { "gateway_ids": { "gateway_id": "gw-south", "eui": "B827EBFFFE000002" }, "rssi": -87, "channel_rssi": -87, "snr": 9.75 }
            ],
            "settings": { "data_rate": { "lora": { "bandwidth": 125000, "spreading_factor": 7 } }, "frequency": "868100000" },
            "received_at": "{{Iso(ReceivedAt)}}", "consumed_airtime": "0.056576s"
          }
        }
        """;

    /// <summary>ChirpStack v4 HTTP integration "up" event, JSON encoding; the EUI in lower case as ChirpStack writes it.</summary>
    public static string ChirpStack(string eui, long frame) => $$"""
        {
          "deduplicationId": "{{DeterministicGuid(eui, frame)}}", "time": "{{Iso(ReceivedAt)}}",
          "deviceInfo": { "tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242", "tenantName": "Acme", "applicationId": "17c82e96-be03-4f38-aef3-f83d48582d97",
                          "applicationName": "plant", "deviceProfileName": "sensor", "deviceName": "boiler-sensor", "devEui": "{{eui.ToLowerInvariant()}}", "tags": {} },
          "devAddr": "00189440", "adr": true, "dr": 5, "fCnt": {{frame}}, "fPort": 2, "confirmed": false, "data": "AQIDBA==",
          "object": { "temperature": 21.5, "battery": { "voltage": 3.61 }, "label": "ok" },
          "rxInfo": [
            { "gatewayId": "b827ebfffe000001", "uplinkId": 1001, "rssi": -112, "snr": 2.5, "context": "EFwMtA==" },
            { "gatewayId": "b827ebfffe000002", "uplinkId": 1002, "rssi": -87, "snr": 9.75, "context": "EFwMtB==" }
          ],
          "txInfo": { "frequency": 868100000, "modulation": { "lora": { "bandwidth": 125000, "spreadingFactor": 7, "codeRate": "CR_4_5" } } }
        }
        """;

    /// <summary>The portal's own HTTP shape; the frame number makes each sample's time distinct.</summary>
    public static string Http(string device, long frame) => $$"""
        { "device": "{{device}}", "time": "{{Iso(ReceivedAt.AddSeconds(frame))}}", "metrics": { "temperature": 21.5, "battery": { "voltage": 3.61 }, "label": "ok" } }
        """;

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    private static Guid DeterministicGuid(string eui, long frame) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{eui}:{frame}")).AsSpan(0, 16));
}
