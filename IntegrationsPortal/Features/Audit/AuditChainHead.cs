namespace IntegrationsPortal.Features.Audit;

/// <summary>
/// The end of one organization's audit chain: the last entry's sequence and hash, and the anchor
/// the kept entries start from after pruning. The writer locks this row for each append, so two
/// writers can never both extend the chain from the same entry; verification compares the last
/// entry with it, so entries cut off the end are noticed too.
/// </summary>
public sealed class AuditChainHead
{
    public Guid OrganizationId { get; set; }

    public long LastSequence { get; set; }

    public string LastHash { get; set; } = "";

    /// <summary>The last pruned entry's sequence (0 before any pruning): the first kept entry follows it.</summary>
    public long AnchorSequence { get; set; }

    /// <summary>The last pruned entry's hash, which the first kept entry carries as its previous hash.</summary>
    public string AnchorHash { get; set; } = "";
}

public sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.HasKey(h => h.OrganizationId);
        // Never generated: the platform's own chain is keyed by Guid.Empty, which EF would otherwise
        // take for "no key yet" and replace with a new random one on every first write.
        builder.Property(h => h.OrganizationId).ValueGeneratedNever();
        builder.Property(h => h.LastHash).HasMaxLength(AuditHash.Length);
        builder.Property(h => h.AnchorHash).HasMaxLength(AuditHash.Length);
    }
}
