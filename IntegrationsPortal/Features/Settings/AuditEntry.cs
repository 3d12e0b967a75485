using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Settings;

/// <summary>One thing a person did in the organization: who, when, what. Shown under Settings.</summary>
public sealed class AuditEntry : ITenantOwned
{
    public long Id { get; set; }

    public Guid OrganizationId { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string Details { get; set; }

    /// <summary>An entry for what the current user just did; add it in the same save as the change.</summary>
    public static AuditEntry Record(CurrentUser actor, TimeProvider time, string action, string details) =>
        new() { At = time.GetUtcNow(), Actor = actor.UserName, Action = action, Details = details };
}

public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.Property(a => a.Action).HasMaxLength(Limits.AuditAction);
        builder.Property(a => a.Details).HasMaxLength(Limits.AuditDetails);
        builder.HasIndex(a => new { a.OrganizationId, a.At });
    }
}
