using System.ComponentModel.DataAnnotations;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>Step 2 of the wizard, or POST /api/integrations. Values are text in the catalog's canonical form.</summary>
/// <summary>A new integration, and the signing secret the portal generated for it (shown once), if any.</summary>
public sealed record CreatedIntegration(Guid Id, string? IssuedSigningSecret);

public sealed class CreateIntegrationInput
{
    [Required(ErrorMessage = "Pick an integration type.")]
    public string TypeKey { get; set; } = "";

    [Required(ErrorMessage = "Name the integration.")]
    [StringLength(Limits.IntegrationName, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string Name { get; set; } = "";

    public Dictionary<string, string?> Properties { get; set; } = [];

    public Dictionary<string, string> Metadata { get; set; } = [];

    /// <summary>The capabilities routing may use it for; null: all its type offers.</summary>
    public List<string>? EnabledCapabilities { get; set; }
}

/// <summary>What may change after creation: the name, editable non-sensitive properties, metadata.</summary>
public sealed class UpdateIntegrationInput
{
    [Required(ErrorMessage = "Name the integration.")]
    [StringLength(Limits.IntegrationName, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string Name { get; set; } = "";

    public Dictionary<string, string?> Properties { get; set; } = [];

    public Dictionary<string, string> Metadata { get; set; } = [];

    /// <summary>The capabilities routing may use it for; null: unchanged.</summary>
    public List<string>? EnabledCapabilities { get; set; }
}

public sealed record IntegrationRow(
    Guid Id, string Name, string TypeKey, string TypeName, string Icon, IntegrationDirection Direction, string Category,
    IntegrationStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : IGridRow
{
    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(IntegrationRow? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

/// <summary>An integration as the detail page and the API show it: secrets only as set / not set.</summary>
public sealed record IntegrationDetail(
    Guid Id,
    string Name,
    IntegrationType Type,
    IntegrationStatus Status,
    IReadOnlyDictionary<string, string> Properties,
    IReadOnlyDictionary<string, bool> SecretsSet,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset? VerifiedAt,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The capabilities routing may use it for (see <see cref="Integration.EnabledCapabilities"/>).</summary>
    public IReadOnlyList<string> EnabledCapabilities { get; init; } = [];
}

public enum IntegrationSort
{
    Name,
    Type,
    Status,
    CreatedAt,
    UpdatedAt,
}

public sealed record IntegrationQuery
{
    public string? Search { get; init; }

    public IntegrationDirection? Direction { get; init; }

    public string? TypeKey { get; init; }

    public IntegrationStatus? Status { get; init; }

    public string? Category { get; init; }

    public IntegrationSort SortBy { get; init; } = IntegrationSort.CreatedAt;

    public bool Descending { get; init; } = true;

    public int Skip { get; init; }

    public int Take { get; init; } = 25;
}

/// <summary>An integration as a picker or a filter lists it.</summary>
public sealed record IntegrationName(Guid Id, string Name);
