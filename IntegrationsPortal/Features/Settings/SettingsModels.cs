using System.ComponentModel.DataAnnotations;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;

namespace IntegrationsPortal.Features.Settings;

public sealed record OrganizationSummary(Guid Id, string Name, DateTimeOffset CreatedAt, int UserCount, bool CustomIntegrationsEnabled, bool RequireTwoFactor);

public sealed record UserSummary(
    string Id, string Email, string DisplayName, string Role, bool IsDisabled, bool IsLockedOut, DateTimeOffset CreatedAt) : IGridRow
{
    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(UserSummary? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

public sealed record AuditEntrySummary(DateTimeOffset At, string Actor, string Action, string Details);

/// <summary>An administrator adds a colleague with a first password to hand over.</summary>
public sealed class NewUserInput
{
    [Required(ErrorMessage = "Enter the person's name.")]
    [StringLength(Limits.DisplayName, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Enter the email they will sign in with.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Pick a role.")]
    [AllowedValues(PortalRoles.Admin, PortalRoles.Operator, PortalRoles.Viewer, ErrorMessage = "The role must be Admin, Operator or Viewer.")]
    public string Role { get; set; } = PortalRoles.Viewer;

    [Required(ErrorMessage = "Choose a first password.")]
    [StringLength(128, MinimumLength = Limits.MinPasswordLength, ErrorMessage = "Use at least 12 characters.")]
    public string Password { get; set; } = "";
}

public sealed class OrganizationInput
{
    [Required(ErrorMessage = "Name your organization.")]
    [StringLength(Limits.OrganizationName, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string Name { get; set; } = "";
}

/// <summary>Whether a member is disabled in this organization.</summary>
public sealed record UserDisabledInput(bool Disabled);
