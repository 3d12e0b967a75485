using System.ComponentModel.DataAnnotations;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Resources;

/// <summary>One thing wrong with a device: the field it is on and what to do about it.</summary>
public sealed record DeviceProblem(string Field, string Message);

/// <summary>
/// What a device must be, wherever it comes from: the device form, the REST API and every row of a
/// CSV import are checked here, so the same bad value gets the same message (an import only adds the
/// line). The messages say what they are about, because a CSV line has no field to stand beside;
/// <see cref="DeviceInput"/>'s attributes carry the same texts, so the form says it while one types.
/// Loaded once per operation: the organization's device types, place ids and serial numbers.
/// </summary>
public sealed class DeviceRules
{
    public const string NameMissing = "Name the device.";
    public const string NameTooLong = "A device name has at most 100 characters.";
    public const string NameNotPlain = "A device name takes letters, digits, spaces and punctuation only: no control or text-direction characters.";
    public const string PlaceMissing = "Pick the place the device is in.";
    public const string PlaceUnknown = "The place does not exist.";
    public const string TypeMissing = "Pick a device type.";
    public const string SerialTooLong = "A serial number has at most 200 characters.";
    public const string ExternalIdsTooMany = "Up to 50 external ids of up to 200 characters each.";

    private readonly Dictionary<string, DeviceType> types;
    private readonly HashSet<Guid> placeIds;

    // Serial numbers compare ignoring case on every path: "sn-1" and "SN-1" are one device's label.
    private readonly Dictionary<string, Guid> deviceBySerial = new(StringComparer.OrdinalIgnoreCase);

    private DeviceRules(IEnumerable<DeviceType> types, IEnumerable<Guid> placeIds, IEnumerable<(string Serial, Guid DeviceId)> serials)
    {
        this.types = types.ToDictionary(t => t.Key, StringComparer.OrdinalIgnoreCase);
        this.placeIds = [.. placeIds];
        foreach (var (serial, deviceId) in serials)
        {
            deviceBySerial.TryAdd(serial, deviceId);
        }
    }

    /// <summary>The rules for the organization <paramref name="db"/> is filtered to (seeding its device types if need be).</summary>
    public static async Task<DeviceRules> LoadAsync(PortalDbContext db, CancellationToken ct)
    {
        var types = await DeviceTypeDefaults.EnsureAsync(db, ct);
        var placeIds = await db.Set<Place>().Select(p => p.Id).ToListAsync(ct);
        var serials = await db.Set<Device>().Where(d => d.SerialNumber != null)
            .Select(d => new { d.SerialNumber, d.Id }).ToListAsync(ct);
        return new DeviceRules(types, placeIds, serials.Select(s => (s.SerialNumber!, s.Id)));
    }

    /// <summary>External ids as the form and a CSV cell write them: separated by ';'.</summary>
    public static List<string> ParseExternalIds(string? text) =>
        (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

    /// <summary>The serial number as stored: trimmed, and null when blank.</summary>
    public static string? SerialOf(DeviceInput input) =>
        string.IsNullOrWhiteSpace(input.SerialNumber) ? null : input.SerialNumber.Trim();

    public static string SerialTaken(string serial) => $"Serial number '{serial}' is already used by another device.";

    /// <summary>
    /// Everything wrong with <paramref name="input"/>, in field order; empty when it can be saved.
    /// <paramref name="deviceId"/> is the device being edited, whose own serial number is no clash.
    /// </summary>
    public IReadOnlyList<DeviceProblem> Check(DeviceInput input, Guid? deviceId = null)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(input, new ValidationContext(input), results, validateAllProperties: true);
        var problems = results
            .SelectMany(r => r.MemberNames.Select(field => new DeviceProblem(field, r.ErrorMessage ?? "Invalid value.")))
            .ToList();
        var fine = (string field) => problems.TrueForAll(p => p.Field != field);

        if (input.PlaceId is { } placeId && !placeIds.Contains(placeId))
        {
            problems.Add(new(nameof(DeviceInput.PlaceId), PlaceUnknown));
        }

        if (fine(nameof(DeviceInput.DeviceType)) && !types.ContainsKey(input.DeviceType))
        {
            problems.Add(new(nameof(DeviceInput.DeviceType),
                $"'{input.DeviceType}' is not a device type (use one of {string.Join(", ", types.Keys.Order(StringComparer.Ordinal))})."));
        }

        if (fine(nameof(DeviceInput.SerialNumber)) && SerialOf(input) is { } serial
            && deviceBySerial.TryGetValue(serial, out var owner) && owner != deviceId)
        {
            problems.Add(new(nameof(DeviceInput.SerialNumber), SerialTaken(serial)));
        }

        var externalIds = ExternalIdsOf(input);
        if (externalIds.Count > ResourceLimits.MetadataEntries || externalIds.Exists(e => e.Length > ResourceLimits.ExternalId))
        {
            problems.Add(new(nameof(DeviceInput.ExternalIds), ExternalIdsTooMany));
        }

        if (!MetadataRules.IsValid(input.Metadata))
        {
            problems.Add(new(MetadataRules.Field, MetadataRules.Limits));
        }

        return problems;
    }

    /// <summary>Refuses <paramref name="input"/> with every problem on its field, or returns when there is none.</summary>
    public void ThrowIfInvalid(DeviceInput input, Guid? deviceId = null)
    {
        var problems = Check(input, deviceId);
        if (problems.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, string.Join(" ", problems.Select(p => p.Message)),
                problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));
        }
    }

    /// <summary>Writes a checked <paramref name="input"/> to <paramref name="device"/>, trimmed and normalized.</summary>
    public void Apply(DeviceInput input, Device device)
    {
        device.Name = input.Name.Trim();
        device.PlaceId = input.PlaceId!.Value;
        device.DeviceTypeId = types[input.DeviceType].Id;
        device.SerialNumber = SerialOf(input);
        device.ExternalIds = ExternalIdsOf(input);
        device.Metadata = new Dictionary<string, string>(input.Metadata ?? []); // an API client may send null
    }

    private static List<string> ExternalIdsOf(DeviceInput input) =>
        (input.ExternalIds ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()).Distinct().ToList();
}
