using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Flows;

public enum FlowVersionKind
{
    /// <summary>The one editable copy per flow; saving changes it, never the running version.</summary>
    Draft,
    /// <summary>A copy of the draft made by Deploy; never changed afterwards, so every run names what it ran.</summary>
    Deployed,
}

/// <summary>One version of a flow's graph (<see cref="FlowGraph"/> as JSON).</summary>
public sealed class FlowVersion : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid FlowId { get; set; }

    /// <summary>0 for the draft; 1, 2, ... for deployed versions in deploy order.</summary>
    public int Number { get; set; }

    public FlowVersionKind Kind { get; set; }

    public required string Graph { get; set; }

    public required string SavedBy { get; set; }

    public DateTimeOffset SavedAt { get; set; }
}

public sealed class FlowVersionConfiguration : IEntityTypeConfiguration<FlowVersion>
{
    public void Configure(EntityTypeBuilder<FlowVersion> builder)
    {
        builder.Property(v => v.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(v => v.SavedBy).HasMaxLength(256);
        builder.HasOne<Flow>().WithMany().HasForeignKey(v => v.FlowId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(v => new { v.FlowId, v.Number }).IsUnique();
    }
}
