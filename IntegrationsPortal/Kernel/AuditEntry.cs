using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Kernel;

/// <summary>
/// One thing a person did in the organization: who, when, from where, what. Append-only and chained
/// by the audit writer (Features/Audit): add it to the unit of work and the writer numbers and hashes it.
/// In the shared kernel because every feature records what its users do (docs/decisions/041).
/// </summary>
public sealed class AuditEntry : ITenantOwned
{
    /// <summary>The length of a hash in the chain: SHA-256 in hex.</summary>
    public const int HashLength = 64;

    public long Id { get; set; }

    public Guid OrganizationId { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string Details { get; set; }

    /// <summary>The address the request came from; null for jobs and the command line.</summary>
    public string? Address { get; set; }

    /// <summary>The integration the entry is about, for its own trail.</summary>
    public Guid? IntegrationId { get; set; }

    /// <summary>Position in the organization's chain, from 1; set by the writer.</summary>
    public long Sequence { get; set; }

    /// <summary>The hash of the entry before (empty for the first); set by the writer.</summary>
    public string? PreviousHash { get; set; }

    /// <summary>This entry's hash (Features/Audit/AuditHash); set by the writer.</summary>
    public string? Hash { get; set; }

    /// <summary>An entry for what the current user just did; add it in the same save as the change.</summary>
    public static AuditEntry Record(CurrentUser actor, TimeProvider time, string action, string details) =>
        new() { At = time.GetUtcNow(), Actor = actor.UserName, Address = actor.Address, Action = action, Details = Limits.Shorten(details, Limits.AuditDetails) };

    /// <summary>An entry about one integration, shown on its own trail too.</summary>
    public static AuditEntry Record(CurrentUser actor, TimeProvider time, string action, string details, Guid integrationId)
    {
        var entry = Record(actor, time, action, details);
        entry.IntegrationId = integrationId;
        return entry;
    }
}

public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.Property(a => a.Action).HasMaxLength(Limits.AuditAction);
        builder.Property(a => a.Details).HasMaxLength(Limits.AuditDetails);
        builder.Property(a => a.Address).HasMaxLength(64);
        builder.Property(a => a.PreviousHash).HasMaxLength(AuditEntry.HashLength);
        builder.Property(a => a.Hash).HasMaxLength(AuditEntry.HashLength);
        builder.HasIndex(a => new { a.OrganizationId, a.At });
        // The backstop behind the writer's lock: two entries can never take the same place in a chain.
        builder.HasIndex(a => new { a.OrganizationId, a.Sequence }).IsUnique();
        builder.HasIndex(a => new { a.OrganizationId, a.IntegrationId, a.At });
    }
}
