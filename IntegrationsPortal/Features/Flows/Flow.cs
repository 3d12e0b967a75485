using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Flows;

/// <summary>
/// A flow: device data from its sources, through its functions, to its destinations. The graph
/// lives in <see cref="FlowVersion"/> rows: one editable draft and the immutable deployed versions;
/// <see cref="DeployedVersionId"/> is the one that runs (while <see cref="Enabled"/>).
/// </summary>
public sealed class Flow : ITenantOwned, IHasTimestamps
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    /// <summary>The operator's switch; a disabled flow keeps its deployed version but does not run.</summary>
    public bool Enabled { get; set; } = true;

    public Guid? DeployedVersionId { get; set; }

    /// <summary>The deployed version's number, kept here so lists need no join.</summary>
    public int? DeployedVersionNumber { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public FlowState State => FlowLifecycle.StateOf(DeployedVersionId is not null, Enabled);
}

public sealed class FlowConfiguration : IEntityTypeConfiguration<Flow>
{
    public void Configure(EntityTypeBuilder<Flow> builder)
    {
        builder.Property(f => f.Name).HasMaxLength(FlowLimits.Name);
        builder.Ignore(f => f.State);
        builder.HasIndex(f => new { f.OrganizationId, f.Name }).IsUnique();
    }
}

/// <summary>Column and input limits of flows.</summary>
public static class FlowLimits
{
    public const int Name = 100;
    public const int Nodes = 100;
    public const int FunctionCode = 64 * 1024;
    public const int GraphJson = 512 * 1024;
    public const int Template = 500;
    public const int Logs = 8 * 1024;
    public const int StepOutput = 64 * 1024;
}
