using System.ComponentModel.DataAnnotations;

namespace IntegrationsPortal.Features.Platform;

/// <summary>One organization as the Platform page lists it.</summary>
public sealed record OrganizationOverview(
    Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? SuspendedAt, int Users, int Integrations, int DeliveriesToday)
{
    public bool IsSuspended => SuspendedAt is not null;
}

public sealed record PlatformAdministrator(string Id, string Email, string DisplayName);

/// <summary>Whom a platform administrator appoints (or removes): an existing account, by its sign-in email.</summary>
public sealed class PlatformAdministratorInput
{
    [Required(ErrorMessage = "Enter the email the person signs in with.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string Email { get; set; } = "";
}
