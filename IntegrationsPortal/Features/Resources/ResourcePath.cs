namespace IntegrationsPortal.Features.Resources;

public enum ResourceKind
{
    Place,
    Device,
}

/// <summary>Column and input lengths for places, devices and mappings.</summary>
public static class ResourceLimits
{
    public const int Name = 100;
    public const int Address = 300;
    public const int TimeZone = 64;
    public const int DeviceTypeKey = 40;
    public const int ExternalId = 200;
    public const int MetadataJson = 4000;
    public const int MetadataEntries = 50;
    public const int CsvRows = 5000;
}

/// <summary>
/// A parsed resource path. Canonical forms: <c>places/{placeId}</c> and
/// <c>places/{placeId}/devices/{deviceId}</c>; <c>devices/{deviceId}</c> is accepted for lookups.
/// </summary>
public sealed record ResourcePath(ResourceKind Kind, Guid Id, Guid? PlaceId)
{
    public static string ForPlace(Guid placeId) => $"places/{placeId}";

    public static string ForDevice(Guid placeId, Guid deviceId) => $"places/{placeId}/devices/{deviceId}";

    /// <summary>Parses the shape only; whether the ids exist is <see cref="ResourcePathService"/>'s job.</summary>
    public static bool TryParse(string? path, out ResourcePath? parsed)
    {
        parsed = null;
        var segments = (path ?? "").Trim().Trim('/').Split('/');
        switch (segments)
        {
            case ["places", var place] when Guid.TryParse(place, out var placeId):
                parsed = new ResourcePath(ResourceKind.Place, placeId, null);
                return true;
            case ["places", var place, "devices", var device]
                when Guid.TryParse(place, out var placeId) && Guid.TryParse(device, out var deviceId):
                parsed = new ResourcePath(ResourceKind.Device, deviceId, placeId);
                return true;
            case ["devices", var device] when Guid.TryParse(device, out var deviceId):
                parsed = new ResourcePath(ResourceKind.Device, deviceId, null);
                return true;
            default:
                return false;
        }
    }
}

/// <summary>Which resources a property (or an integration's mappings) accepts.</summary>
public sealed record ResourceFilter(bool Places, IReadOnlyCollection<string> DeviceTypes)
{
    public static readonly ResourceFilter Any = new(true, ["*"]);

    public static readonly ResourceFilter PlacesOnly = new(true, []);

    public bool AcceptsAnyDevice => DeviceTypes.Contains("*");

    public bool Accepts(ResourceKind kind, string? deviceTypeKey) => kind == ResourceKind.Place
        ? Places
        : AcceptsAnyDevice || (deviceTypeKey is not null && DeviceTypes.Contains(deviceTypeKey, StringComparer.OrdinalIgnoreCase));

    /// <summary>"a place or a meter", for messages.</summary>
    public string Describe()
    {
        var kinds = new List<string>();
        if (Places)
        {
            kinds.Add("a place");
        }

        kinds.AddRange(AcceptsAnyDevice ? ["a device"] : DeviceTypes.Select(t => $"a {t}"));
        return kinds.Count == 0 ? "nothing" : string.Join(" or ", kinds);
    }
}

public enum ResourcePathProblem
{
    None,
    /// <summary>Not one of the path shapes.</summary>
    Malformed,
    /// <summary>No such resource here; also what another organization's resource looks like (no probing).</summary>
    UnknownId,
    /// <summary>The device exists but is in another place than the path says.</summary>
    NotInPlace,
    /// <summary>The resource exists but this property does not accept its kind or device type.</summary>
    WrongKind,
}

/// <summary>A resource a path points at, with what the UI needs to show it.</summary>
public sealed record ResourceInfo(
    ResourceKind Kind, Guid Id, string Path, string Name, string Icon, string? DeviceTypeKey, string Breadcrumb);

/// <summary>The validator's answer: valid with the resource, or invalid with the problem and a reason.</summary>
public sealed record ResourcePathCheck(ResourcePathProblem Problem, string Message, ResourceInfo? Resource)
{
    public bool IsValid => Problem == ResourcePathProblem.None;
}

/// <summary>One entry of the resource browser (a child of a path), for pickers.</summary>
public sealed record ResourceNode(
    ResourceKind Kind, Guid Id, string Path, string Name, string Icon, string? DeviceTypeKey, bool HasChildren, bool Selectable);
