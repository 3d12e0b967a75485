using System.ComponentModel.DataAnnotations;
using IntegrationsPortal.Components.Shared;

namespace IntegrationsPortal.Features.Platform;

/// <summary>One organization as the Platform page lists it.</summary>
public sealed record OrganizationOverview(
    Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? SuspendedAt, int Users, int Integrations, int DeliveriesToday) : IGridRow
{
    public bool IsSuspended => SuspendedAt is not null;

    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(OrganizationOverview? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

public sealed record PlatformAdministrator(string Id, string Email, string DisplayName);

/// <summary>Whom a platform administrator appoints (or removes): an existing account, by its sign-in email.</summary>
public sealed class PlatformAdministratorInput
{
    [Required(ErrorMessage = "Enter the email the person signs in with.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string Email { get; set; } = "";
}
