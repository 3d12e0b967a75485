using System.ComponentModel.DataAnnotations;
using IntegrationsPortal.Components.Shared;

namespace IntegrationsPortal.Features.Resources;

/// <summary>A place in the tree, with its children; the page's tree and the API's GET /places.</summary>
public sealed record PlaceNode(Guid Id, Guid? ParentId, string Name, string Path, int DeviceCount, IReadOnlyList<PlaceNode> Children);

public sealed record PlaceDetails(
    Guid Id, Guid? ParentId, string Name, string Path, string Breadcrumb, string? Address, double? Latitude, double? Longitude,
    string TimeZone, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt);

public sealed record DeviceSummary(
    Guid Id, Guid PlaceId, string Name, string Path, string DeviceTypeKey, string DeviceTypeName, string Icon,
    string? SerialNumber, IReadOnlyList<string> ExternalIds, IReadOnlyDictionary<string, string> Metadata) : IGridRow
{
    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(DeviceSummary? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

public sealed record DeviceTypeSummary(Guid Id, string Key, string Name, string Icon);

/// <summary>Create or edit a place. <see cref="ParentId"/> is read on create only; moving is its own call.</summary>
public sealed class PlaceInput
{
    public Guid? ParentId { get; set; }

    [Required(ErrorMessage = "Name the place.")]
    [StringLength(ResourceLimits.Name, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string Name { get; set; } = "";

    [StringLength(ResourceLimits.Address, ErrorMessage = "At most 300 characters.")]
    public string? Address { get; set; }

    [Range(-90.0, 90.0, ErrorMessage = "Latitude is between -90 and 90.")]
    public double? Latitude { get; set; }

    [Range(-180.0, 180.0, ErrorMessage = "Longitude is between -180 and 180.")]
    public double? Longitude { get; set; }

    [Required(ErrorMessage = "Pick a time zone, e.g. Europe/Berlin.")]
    [StringLength(ResourceLimits.TimeZone, ErrorMessage = "At most 64 characters.")]
    public string TimeZone { get; set; } = "UTC";

    public Dictionary<string, string> Metadata { get; set; } = [];
}

/// <summary>
/// Create or edit a device; also what each CSV import row becomes. The messages are
/// <see cref="DeviceRules"/>', which checks these attributes along with the rest.
/// </summary>
public sealed class DeviceInput
{
    [Required(ErrorMessage = DeviceRules.PlaceMissing)]
    public Guid? PlaceId { get; set; }

    [Required(ErrorMessage = DeviceRules.NameMissing)]
    [StringLength(ResourceLimits.Name, ErrorMessage = DeviceRules.NameTooLong)]
    [PlainName(ErrorMessage = DeviceRules.NameNotPlain)]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = DeviceRules.TypeMissing)]
    public string DeviceType { get; set; } = "";

    [StringLength(ResourceLimits.ExternalId, ErrorMessage = DeviceRules.SerialTooLong)]
    public string? SerialNumber { get; set; }

    public List<string> ExternalIds { get; set; } = [];

    public Dictionary<string, string> Metadata { get; set; } = [];
}

public sealed class DeviceTypeInput
{
    [Required(ErrorMessage = "Give the type a key, e.g. inverter.")]
    [RegularExpression("^[a-z][a-z0-9-]{0,39}$", ErrorMessage = "Lower-case letters, digits and dashes, starting with a letter.")]
    public string Key { get; set; } = "";

    [Required(ErrorMessage = "Name the type.")]
    [StringLength(ResourceLimits.Name, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string Name { get; set; } = "";

    [StringLength(ResourceLimits.DeviceTypeKey, ErrorMessage = "At most 40 characters.")]
    public string Icon { get; set; } = "memory";
}

/// <summary>One CSV row as read, and what is wrong with it (empty when it can be imported).</summary>
public sealed record CsvRowResult(int Line, IReadOnlyList<string> Values, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>What an import would do; nothing is written while <see cref="IsValid"/> is false.</summary>
public sealed record CsvPreview(IReadOnlyList<string> Columns, IReadOnlyList<CsvRowResult> Rows, IReadOnlyList<string> FileErrors)
{
    public bool IsValid => FileErrors.Count == 0 && Rows.Count > 0 && Rows.All(r => r.IsValid);

    public int InvalidRows => Rows.Count(r => !r.IsValid);

    /// <summary>The refusal for an import of an invalid file: the first few row errors, by line.</summary>
    public PortalException ToError()
    {
        var lines = FileErrors
            .Concat(Rows.Where(r => !r.IsValid).Take(10).Select(r => $"Line {r.Line}: {string.Join(" ", r.Errors)}"))
            .DefaultIfEmpty("The file has no rows to import.")
            .ToArray();
        return new PortalException(PortalErrorKind.Validation,
            $"Nothing was imported. {string.Join(" ", lines)}", new Dictionary<string, string[]> { ["Csv"] = lines });
    }
}

public sealed record ResourceMappingSummary(
    Guid Id, Guid IntegrationId, string ExternalId, ResourceInfo? Resource, DateTimeOffset CreatedAt) : IGridRow
{
    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(ResourceMappingSummary? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

public sealed record MappingPage(IReadOnlyList<ResourceMappingSummary> Items, int Total);

public sealed class MappingInput
{
    [Required(ErrorMessage = "Enter the external id, as the provider names it.")]
    [StringLength(ResourceLimits.ExternalId, ErrorMessage = "At most 200 characters.")]
    public string ExternalId { get; set; } = "";

    [Required(ErrorMessage = "Pick a place or device.")]
    public string ResourcePath { get; set; } = "";
}

/// <summary>Validate-as-you-type answer for a mapping form: per-field messages, empty when it can be saved.</summary>
public sealed record MappingCheck(IReadOnlyDictionary<string, string> Errors, ResourceInfo? Resource)
{
    public bool IsValid => Errors.Count == 0;
}
