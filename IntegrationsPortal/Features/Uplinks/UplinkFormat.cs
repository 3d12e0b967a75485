using System.Globalization;
using System.Text.Json;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>
/// One network's uplink JSON read into what the portal keeps. One class per type, marked with
/// <see cref="Catalog.ForTypesAttribute"/>, found by key through <see cref="UplinkFormats"/>.
/// </summary>
public interface IUplinkFormat
{
    /// <summary>
    /// The uplinks in <paramref name="body"/>: none when the network sent an event that is not an uplink
    /// (ChirpStack's join or status events), which is acknowledged and ignored.
    /// Throws <see cref="UplinkRejectedException"/> with a reason for the sender when the body is not one.
    /// </summary>
    IReadOnlyList<ParsedUplink> Parse(JsonElement body, IQueryCollection query);
}

/// <summary>
/// An uplink in network-neutral form. <see cref="Decoded"/> is the payload decoder's object, whose
/// numeric fields become readings; <see cref="Body"/> is the uplink as sent, for flows.
/// </summary>
public sealed record ParsedUplink(
    string DeviceEui,
    string DedupKey,
    DateTimeOffset ReceivedAt,
    int? Port,
    long? FrameCounter,
    string? RawPayload,
    double? Rssi,
    double? Snr,
    JsonElement? Decoded,
    JsonElement Body)
{
    /// <summary>
    /// What tells a network's retry of this uplink from a new one. Some networks send it as is (ChirpStack's
    /// deduplication id, the generic type's "id"), so its length is checked for every format here: PostgreSQL
    /// refuses a longer one, which failed the whole write batch, and SQLite would have kept it.
    /// </summary>
    public string DedupKey { get; init; } = DedupKey.Length <= UplinkLimits.DedupKey
        ? DedupKey
        : throw new UplinkRejectedException($"The uplink's id is longer than {UplinkLimits.DedupKey} characters.");
}

/// <summary>The pushed body is not an uplink of the integration's network; the message says why (400).</summary>
public sealed class UplinkRejectedException(string reason) : Exception(reason);

/// <summary>Reading helpers the formats share, each refusing with a reason that names the field.</summary>
internal static class UplinkJson
{
    public static JsonElement Object(JsonElement parent, string name)
    {
        var value = Optional(parent, name);
        return value is { ValueKind: JsonValueKind.Object } found ? found : throw Missing(name, "an object");
    }

    public static JsonElement? Optional(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string String(JsonElement parent, string name) =>
        OptionalString(parent, name) is { Length: > 0 } text ? text : throw Missing(name, "a string");

    public static string? OptionalString(JsonElement parent, string name) =>
        Optional(parent, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static long? OptionalInteger(JsonElement parent, string name) =>
        Optional(parent, name) is { } value && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    public static double? OptionalNumber(JsonElement parent, string name) =>
        Optional(parent, name) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;

    public static DateTimeOffset Time(JsonElement parent, string name) =>
        DateTimeOffset.TryParse(String(parent, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new UplinkRejectedException($"'{name}' is not an ISO 8601 time.");

    /// <summary>The gateway that heard the frame best: highest RSSI, then SNR.</summary>
    public static (double? Rssi, double? Snr) BestGateway(JsonElement? gateways, string rssi = "rssi", string snr = "snr")
    {
        if (gateways is not { ValueKind: JsonValueKind.Array } list)
        {
            return (null, null);
        }

        return list.EnumerateArray()
            .Select(g => (Rssi: OptionalNumber(g, rssi), Snr: OptionalNumber(g, snr)))
            .OrderByDescending(g => g.Rssi ?? double.MinValue).ThenByDescending(g => g.Snr ?? double.MinValue)
            .FirstOrDefault();
    }

    /// <summary>A LoRaWAN DevEUI in one spelling (networks differ in case: ChirpStack sends lower-case hex), so one device is one external id.</summary>
    public static string Eui(string value) => DeviceId(value).ToUpperInvariant();

    /// <summary>A device's external id as sent, trimmed.</summary>
    public static string DeviceId(string value) => value.Length <= UplinkLimits.DeviceEui
        ? value.Trim()
        : throw new UplinkRejectedException($"The device id is longer than {UplinkLimits.DeviceEui} characters.");

    private static UplinkRejectedException Missing(string name, string what) => new($"'{name}' is missing or not {what}.");
}
