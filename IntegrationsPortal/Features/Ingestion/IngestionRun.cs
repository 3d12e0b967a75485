using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Ingestion;

public enum IngestionKind
{
    Pull,
    Backfill,
}

/// <summary>Where a run is; <see cref="IngestionRunLifecycle"/> says how it gets from one to the next. Stored as text.</summary>
public enum IngestionRunStatus
{
    Queued,
    Running,
    Cancelling,
    Cancelled,
    Completed,
    Failed,
}

/// <summary>
/// One scheduled pull or backfill of an ingress integration, and how far it got. Progress is
/// saved after every window (and the provider's cursor after every page), so a restart resumes
/// where the run stopped and the page can show it live.
/// </summary>
public sealed class IngestionRun : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    public IngestionKind Kind { get; set; }

    public IngestionRunStatus Status { get; set; }

    public DateTimeOffset From { get; set; }

    public DateTimeOffset To { get; set; }

    public TimeSpan WindowSize { get; set; }

    public int WindowsTotal { get; set; }

    public int WindowsDone { get; set; }

    /// <summary>The provider's cursor inside the current window, after the last page written.</summary>
    public string? Cursor { get; set; }

    public long ReadingsWritten { get; set; }

    public long UnmappedReadings { get; set; }

    /// <summary>Up to 50 external ids seen without a mapping, for the "map them" prompt.</summary>
    public List<string> UnmappedExternalIds { get; set; } = [];

    /// <summary>Only these resources (backfill of a subset); empty means every mapped one.</summary>
    public List<string> ResourcePaths { get; set; } = [];

    public string? Error { get; set; }

    /// <summary>What the run left out on purpose and the operator can fix (weather for places without coordinates).</summary>
    public string? Note { get; set; }

    public required string RequestedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset CurrentWindowStart => From + WindowSize * WindowsDone;
}

public sealed class IngestionRunConfiguration : IEntityTypeConfiguration<IngestionRun>
{
    public void Configure(EntityTypeBuilder<IngestionRun> builder)
    {
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Cursor).HasMaxLength(2000);
        builder.Property(r => r.Error).HasMaxLength(Limits.ErrorMessage);
        builder.Property(r => r.Note).HasMaxLength(Limits.ErrorMessage);
        builder.Property(r => r.RequestedBy).HasMaxLength(256);
        builder.Property(r => r.UnmappedExternalIds).HasJsonList();
        builder.Property(r => r.ResourcePaths).HasJsonList();
        builder.Ignore(r => r.CurrentWindowStart);
        builder.HasIndex(r => new { r.IntegrationId, r.CreatedAt });
    }
}
