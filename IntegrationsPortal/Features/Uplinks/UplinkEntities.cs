using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>
/// A token a network server presents when it pushes to an integration's endpoint. Only its SHA-256 is
/// kept; the token itself is shown once. <see cref="ExpiresAt"/> is null for the current token and set
/// on the previous one by a rotation (the grace period in which both work).
/// </summary>
public sealed class UplinkToken : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    public required string Hash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>
/// One uplink, stored once: (integration, <see cref="DedupKey"/>) is unique, so a network's retry or a
/// second hotspot's copy of the same frame finds the row already there.
/// </summary>
public sealed class Uplink : ITenantOwned
{
    public long Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    /// <summary>The network's uplink id (ChirpStack's deduplicationId), or device EUI + frame counter.</summary>
    public required string DedupKey { get; set; }

    public required string DeviceEui { get; set; }

    /// <summary>The mapped device's stable path when the uplink arrived; null while the EUI was unmapped.</summary>
    public string? ResourcePath { get; set; }

    public long ReceivedAtTicks { get; set; }

    public int? Port { get; set; }

    public long? FrameCounter { get; set; }

    public double? Rssi { get; set; }

    public double? Snr { get; set; }

    /// <summary>The uplink as the network sent it (capped at <see cref="UplinkLimits.StoredBody"/>): what a flow receives.</summary>
    public required string Body { get; set; }

    /// <summary>UTC ticks of when the portal accepted it; the per-minute counts are taken from this.</summary>
    public long AcceptedAtTicks { get; set; }
}

/// <summary>An EUI that pushed while no mapping tied it to a device: "unmapped, last seen, count".</summary>
public sealed class UnmappedDevice : ITenantOwned
{
    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    public required string DeviceEui { get; set; }

    public long FirstSeenTicks { get; set; }

    public long LastSeenTicks { get; set; }

    public long Count { get; set; }
}

/// <summary>An uplink the endpoint refused, and why; only the last <see cref="UplinkLimits.RejectionsKept"/> per integration are kept.</summary>
public sealed class RejectedUplink : ITenantOwned
{
    public long Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    public DateTimeOffset At { get; set; }

    public int StatusCode { get; set; }

    public required string Reason { get; set; }
}

public static class UplinkLimits
{
    /// <summary>The limit on a pushed body; networks send a few kilobytes.</summary>
    public const int Body = 256 * 1024;

    public const int StoredBody = 32 * 1024;

    public const int RejectionsKept = 20;

    public const int DeviceEui = 200;

    /// <summary>A network's uplink id, or the device id and frame counter the portal makes one of.</summary>
    public const int DedupKey = 300;

    /// <summary>Decoded payloads with more numeric fields than this keep only the first ones as readings.</summary>
    public const int MetricsPerUplink = 100;
}

public sealed class UplinkTokenConfiguration : IEntityTypeConfiguration<UplinkToken>
{
    public void Configure(EntityTypeBuilder<UplinkToken> builder)
    {
        builder.ToTable("UplinkTokens");
        builder.Property(t => t.Hash).HasMaxLength(64);
        builder.HasIndex(t => t.Hash).IsUnique();
        builder.HasIndex(t => t.IntegrationId);
    }
}

public sealed class UplinkConfiguration : IEntityTypeConfiguration<Uplink>
{
    public const string TableName = "Uplinks";

    public void Configure(EntityTypeBuilder<Uplink> builder)
    {
        builder.ToTable(TableName);
        builder.Property(u => u.DedupKey).HasMaxLength(UplinkLimits.DedupKey);
        builder.Property(u => u.DeviceEui).HasMaxLength(UplinkLimits.DeviceEui);
        builder.Property(u => u.ResourcePath).HasMaxLength(200);
        // The duplicate check: the insert is ON CONFLICT DO NOTHING on this index.
        builder.HasIndex(u => new { u.IntegrationId, u.DedupKey }).IsUnique();
        builder.HasIndex(u => new { u.IntegrationId, u.AcceptedAtTicks });
        builder.HasIndex(u => new { u.ResourcePath, u.AcceptedAtTicks });
    }
}

public sealed class UnmappedDeviceConfiguration : IEntityTypeConfiguration<UnmappedDevice>
{
    public const string TableName = "UnmappedDevices";

    public void Configure(EntityTypeBuilder<UnmappedDevice> builder)
    {
        builder.ToTable(TableName);
        builder.HasKey(d => new { d.IntegrationId, d.DeviceEui });
        builder.Property(d => d.DeviceEui).HasMaxLength(UplinkLimits.DeviceEui);
    }
}

public sealed class RejectedUplinkConfiguration : IEntityTypeConfiguration<RejectedUplink>
{
    public void Configure(EntityTypeBuilder<RejectedUplink> builder)
    {
        builder.ToTable("RejectedUplinks");
        builder.Property(r => r.Reason).HasMaxLength(500);
        builder.HasIndex(r => new { r.IntegrationId, r.At });
    }
}
