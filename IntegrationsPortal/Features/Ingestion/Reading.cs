using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>
/// One telemetry value: what resource, which metric, when (UTC), how much, in what unit, and which
/// integration brought it. (resource, metric, timestamp, source) is unique, so pulling the same
/// window twice keeps one copy.
/// </summary>
public sealed class Reading : ITenantOwned
{
    public long Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The platform resource, by its stable path: places/{id} or devices/{id} (which survives a move).</summary>
    public required string ResourcePath { get; set; }

    public required string Metric { get; set; }

    /// <summary>UTC, as ticks: SQLite sorts and compares integers, not text timestamps.</summary>
    public long TimestampTicks { get; set; }

    public double Value { get; set; }

    public required string Unit { get; set; }

    public Guid SourceIntegrationId { get; set; }

    public DateTimeOffset Timestamp => new(TimestampTicks, TimeSpan.Zero);
}

public sealed class ReadingConfiguration : IEntityTypeConfiguration<Reading>
{
    public const string TableName = "Readings";

    public void Configure(EntityTypeBuilder<Reading> builder)
    {
        builder.ToTable(TableName);
        builder.Property(r => r.ResourcePath).HasMaxLength(200);
        builder.Property(r => r.Metric).HasMaxLength(64);
        builder.Property(r => r.Unit).HasMaxLength(16);
        builder.Ignore(r => r.Timestamp);
        // The upsert key, and the index for "this resource's metric over a time range".
        builder.HasIndex(r => new { r.ResourcePath, r.Metric, r.TimestampTicks, r.SourceIntegrationId }).IsUnique();
        builder.HasIndex(r => new { r.SourceIntegrationId, r.TimestampTicks });
    }
}
