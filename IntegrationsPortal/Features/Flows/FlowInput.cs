using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Flows;

/// <summary>Where a reading comes from, as flows' sources and functions see it.</summary>
public sealed record ReadingResource(
    string Path, Guid? DeviceId, string? DeviceName, string? DeviceType, string? SerialNumber, Guid? PlaceId, string? PlaceName, string PlacePath);

/// <summary>The message a reading becomes at a flow's sources, and what transform gets as context.</summary>
public static class FlowInput
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Message(NewReading reading, ReadingResource resource, Guid sourceIntegrationId) => JsonSerializer.Serialize(new
    {
        resourcePath = reading.ResourcePath,
        deviceId = resource.DeviceId,
        deviceName = resource.DeviceName,
        deviceType = resource.DeviceType,
        placeId = resource.PlaceId,
        placeName = resource.PlaceName,
        metric = reading.Metric,
        value = reading.Value,
        unit = reading.Unit,
        timestamp = reading.Timestamp.UtcDateTime,
        sourceIntegrationId,
    }, Json);

    public static string Context(string flowName, int version, ReadingResource resource, DateTimeOffset readingTime) => JsonSerializer.Serialize(new
    {
        flowName,
        flowVersion = version,
        device = resource.DeviceId is null ? null : new { id = resource.DeviceId, name = resource.DeviceName, type = resource.DeviceType, serialNumber = resource.SerialNumber },
        place = resource.PlaceId is null ? null : new { id = resource.PlaceId, name = resource.PlaceName },
        placePath = resource.PlacePath,
        readingTime = readingTime.UtcDateTime,
    }, Json);

    /// <summary>
    /// The run's id: the same flow and the same reading (source, resource, metric, time and value) give
    /// the same id, so data read again is recognised, and a corrected value is a new run. It starts with
    /// the reading's time in milliseconds, so runs go into the table's key roughly in order (a random
    /// key made every insert land on a random page) and the rest is a hash.
    /// </summary>
    public static Guid RunId(Guid flowId, Guid sourceIntegrationId, NewReading reading)
    {
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{flowId:N}|{sourceIntegrationId:N}|{reading.ResourcePath}|{reading.Metric}|{reading.Timestamp.UtcTicks}|{reading.Value:R}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        var milliseconds = reading.Timestamp.ToUnixTimeMilliseconds();
        return new Guid((int)(milliseconds >> 16), (short)(milliseconds & 0xFFFF), BitConverter.ToInt16(hash[..2]), hash[2], hash[3], hash[4], hash[5], hash[6], hash[7], hash[8], hash[9]);
    }

    /// <summary>Each resource path of the readings with its device and place, in two queries plus the place tree.</summary>
    public static async Task<Dictionary<string, ReadingResource>> ResolveAsync(PortalDbContext db, IEnumerable<string> paths, CancellationToken ct)
    {
        var parsed = paths.Distinct().Select(p => (Path: p, Ok: ResourcePath.TryParse(p, out var r), Resource: r)).Where(p => p.Ok).ToList();
        var deviceIds = parsed.Where(p => p.Resource!.Kind == ResourceKind.Device).Select(p => p.Resource!.Id).Distinct().ToList();
        var devices = deviceIds.Count == 0
            ? []
            : await db.Devices.AsNoTracking().Where(d => deviceIds.Contains(d.Id))
                .Select(d => new { d.Id, d.Name, d.PlaceId, d.DeviceTypeId, d.SerialNumber }).ToDictionaryAsync(d => d.Id, ct);
        var types = devices.Count == 0 ? [] : await db.DeviceTypes.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Key, ct);
        var places = await PlaceIndex.LoadAsync(db, ct);
        var resolved = new Dictionary<string, ReadingResource>();
        foreach (var (path, _, resource) in parsed)
        {
            Guid? placeId = resource!.Kind == ResourceKind.Place ? resource.Id : null;
            var device = resource.Kind == ResourceKind.Device ? devices.GetValueOrDefault(resource.Id) : null;
            placeId ??= device?.PlaceId;
            var known = placeId is { } id && places.Contains(id);
            resolved[path] = new ReadingResource(path, device?.Id, device?.Name, device is null ? null : types.GetValueOrDefault(device.DeviceTypeId),
                device?.SerialNumber, known ? placeId : null, known ? places.NameOf(placeId!.Value) : null, known ? places.Breadcrumb(placeId!.Value) : "");
        }

        return resolved;
    }

    /// <summary>Which of a flow's sources a reading matches; <paramref name="subtrees"/> caches each place source's subtree.</summary>
    public static List<FlowNode> MatchingSources(
        FlowGraph graph, ReadingResource resource, Guid sourceIntegrationId, Func<Guid, HashSet<Guid>> subtree)
    {
        var matches = new List<FlowNode>();
        foreach (var node in graph.Nodes)
        {
            if (node.Kind != FlowNodeKind.Source || node.SourceRef is not { } reference)
            {
                continue;
            }

            var id = Guid.TryParse(reference, out var parsed) ? parsed : Guid.Empty;
            var match = node.Source switch
            {
                FlowSourceKind.Device => resource.DeviceId == id,
                FlowSourceKind.DeviceType => resource.DeviceType is { } type && string.Equals(type, reference, StringComparison.OrdinalIgnoreCase),
                FlowSourceKind.Place => resource.PlaceId is { } place && subtree(id).Contains(place),
                FlowSourceKind.Integration => sourceIntegrationId == id,
                _ => false,
            };
            if (match)
            {
                matches.Add(node);
            }
        }

        return matches;
    }
}
