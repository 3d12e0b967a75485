using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;

namespace IntegrationsPortal.Features.Accounts.Invitations;

/// <summary>
/// An invitation to join an organization with a role: a one-time link that expires after seven days
/// (docs/decisions/035). Only the SHA-256 of the link's random token is stored, so a copy of the
/// database cannot be turned into working links. Not tenant-filtered: accepting looks it up by that
/// hash before anyone knows the organization; the service filters by organization itself.
/// </summary>
public sealed class Invitation
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public required string Email { get; set; }

    public required string Role { get; set; }

    public required byte[] TokenHash { get; set; }

    public required string InvitedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsOpenAt(DateTimeOffset now) => AcceptedAt is null && RevokedAt is null && now < ExpiresAt;

    /// <summary>32 random bytes as URL-safe text: the link's secret, shown once and never stored.</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string LinkPath(string token) => $"/invitations/{token}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.Role).HasMaxLength(16);
        builder.Property(i => i.InvitedBy).HasMaxLength(256);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => new { i.OrganizationId, i.CreatedAt });
        builder.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>What the inviter gets back, once: the link is never shown again.</summary>
public sealed record IssuedInvitation(Guid Id, string Email, string Role, string Link, DateTimeOffset ExpiresAt);

/// <summary>An invitation not yet accepted, revoked or expired, as the Users page lists it (no link).</summary>
public sealed record PendingInvitation(Guid Id, string Email, string Role, string InvitedBy, DateTimeOffset ExpiresAt);

/// <summary>What the accept page shows about a valid link.</summary>
public sealed record InvitationView(string OrganizationName, string Email, string Role);

public sealed class InvitationInput
{
    [Required(ErrorMessage = "Enter the email of the person to invite.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "At most 256 characters.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Pick a role.")]
    [AllowedValues(PortalRoles.Admin, PortalRoles.Operator, PortalRoles.Viewer, ErrorMessage = "The role must be Admin, Operator or Viewer.")]
    public string Role { get; set; } = PortalRoles.Viewer;
}

/// <summary>The accept form of someone without an account: their name and first password (the email is the invitation's).</summary>
public sealed class NewAccountInput
{
    [Required(ErrorMessage = "Enter your name.")]
    [StringLength(Limits.DisplayName, ErrorMessage = "At most 100 characters.")]
    [PlainName]
    public string DisplayName { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(128, MinimumLength = Limits.MinPasswordLength, ErrorMessage = "Use at least 12 characters.")]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Repeat the password.")]
    [Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
    public string ConfirmPassword { get; set; } = "";
}

/// <summary>The Platform page's invitation: always for the Admin role.</summary>
public sealed class PlatformInvitationInput
{
    [Required(ErrorMessage = "Enter the email of the organization's Admin.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "At most 256 characters.")]
    public string Email { get; set; } = "";
}
