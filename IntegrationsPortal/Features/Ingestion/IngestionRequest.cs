using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>
/// One request of a pull or backfill to the provider, as the History tab shows it: when, how long,
/// what the provider answered (429 and the wait that followed, 401) and how many readings came back.
/// The ingress counterpart of a delivery attempt.
/// </summary>
public sealed class IngestionRequest : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    public Guid RunId { get; set; }

    public DateTimeOffset At { get; set; }

    public int DurationMs { get; set; }

    /// <summary>The provider's HTTP status; null when it did not answer.</summary>
    public int? StatusCode { get; set; }

    /// <summary>Readings in the page; null when the request failed.</summary>
    public int? Readings { get; set; }

    /// <summary>What happened, in the operator's words ("rate limited; waited 5 s", the refusal).</summary>
    public required string Outcome { get; set; }
}

public sealed class IngestionRequestConfiguration : IEntityTypeConfiguration<IngestionRequest>
{
    public void Configure(EntityTypeBuilder<IngestionRequest> builder)
    {
        builder.Property(r => r.Outcome).HasMaxLength(Limits.ErrorMessage);
        builder.HasIndex(r => new { r.IntegrationId, r.At });
    }
}

public sealed record IngestionRequestView(DateTimeOffset At, IngestionKind Kind, int DurationMs, int? StatusCode, int? Readings, string Outcome);
