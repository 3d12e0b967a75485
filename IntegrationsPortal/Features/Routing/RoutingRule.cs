using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Routing;

/// <summary>
/// "Send <see cref="Capability"/> operations to <see cref="IntegrationId"/>, else to its fallback."
/// The router (<see cref="ProviderRouter"/>) takes the enabled rules of a capability by
/// <see cref="Priority"/>, highest first, and the default one first among equals.
/// </summary>
public sealed class RoutingRule : ITenantOwned, IHasTimestamps
{
    /// <summary>A 26-character ULID: the id /api/v1 publishes, sortable by creation like the integrations'.</summary>
    public string Id { get; set; } = Ulid.NewUlid().ToString();

    public Guid OrganizationId { get; set; }

    public required string Capability { get; set; }

    public Guid IntegrationId { get; set; }

    /// <summary>Higher goes first.</summary>
    public int Priority { get; set; }

    /// <summary>The capability's default rule: at most one per capability, first among rules of equal priority.</summary>
    public bool IsDefault { get; set; }

    public Guid? FallbackIntegrationId { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class RoutingRuleConfiguration : IEntityTypeConfiguration<RoutingRule>
{
    public void Configure(EntityTypeBuilder<RoutingRule> builder)
    {
        builder.Property(r => r.Id).HasMaxLength(26);
        builder.Property(r => r.Capability).HasMaxLength(64);
        builder.HasIndex(r => new { r.OrganizationId, r.Capability, r.Priority });
    }
}
