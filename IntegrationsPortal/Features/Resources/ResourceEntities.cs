using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Resources;

/// <summary>A node of an organization's place tree: a site, building, floor, room, at any depth.</summary>
public sealed class Place : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid? ParentId { get; set; }

    public required string Name { get; set; }

    public string? Address { get; set; }

    public double? Latitude { get; set; }

    public double? Longitude { get; set; }

    /// <summary>An IANA time zone id, e.g. Europe/Berlin.</summary>
    public string TimeZone { get; set; } = "UTC";

    public Dictionary<string, string> Metadata { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A kind of device (meter, thermostat, ...), per organization; Admins extend the list.</summary>
public sealed class DeviceType : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>Stable lower-case key that integrations' rules refer to, e.g. <c>meter</c>.</summary>
    public required string Key { get; set; }

    public required string Name { get; set; }

    /// <summary>A Material icon name for trees and lists.</summary>
    public string Icon { get; set; } = "memory";
}

/// <summary>A thing in a place: a meter, a thermostat, a vehicle parked at a depot.</summary>
public sealed class Device : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid PlaceId { get; set; }

    public Guid DeviceTypeId { get; set; }

    public required string Name { get; set; }

    public string? SerialNumber { get; set; }

    /// <summary>Identifiers the device has elsewhere (a VIN, a MAC address); free text.</summary>
    public List<string> ExternalIds { get; set; } = [];

    public Dictionary<string, string> Metadata { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// Links an integration's external id (meter number, VIN, station code) to one of our resources.
/// The resource is stored by kind and id, not by path, so moving a device keeps its mappings.
/// </summary>
public sealed class ResourceMapping : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>The integration; no foreign key, the Integration table belongs to another feature.</summary>
    public Guid IntegrationId { get; set; }

    public required string ExternalId { get; set; }

    public ResourceKind ResourceKind { get; set; }

    public Guid ResourceId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class PlaceConfiguration : IEntityTypeConfiguration<Place>
{
    public void Configure(EntityTypeBuilder<Place> builder)
    {
        builder.Property(p => p.Name).HasMaxLength(ResourceLimits.Name);
        builder.Property(p => p.Address).HasMaxLength(ResourceLimits.Address);
        builder.Property(p => p.TimeZone).HasMaxLength(ResourceLimits.TimeZone);
        builder.Property(p => p.Metadata).HasJsonMap().HasMaxLength(ResourceLimits.MetadataJson);
        // Deletes walk the tree in the service, which checks mappings first; the database only refuses orphans.
        builder.HasOne<Place>().WithMany().HasForeignKey(p => p.ParentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => new { p.OrganizationId, p.ParentId });
    }
}

public sealed class DeviceTypeConfiguration : IEntityTypeConfiguration<DeviceType>
{
    public void Configure(EntityTypeBuilder<DeviceType> builder)
    {
        builder.Property(t => t.Key).HasMaxLength(ResourceLimits.DeviceTypeKey);
        builder.Property(t => t.Name).HasMaxLength(ResourceLimits.Name);
        builder.Property(t => t.Icon).HasMaxLength(ResourceLimits.DeviceTypeKey);
        builder.HasIndex(t => new { t.OrganizationId, t.Key }).IsUnique();
    }
}

public sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.Property(d => d.Name).HasMaxLength(ResourceLimits.Name);
        builder.Property(d => d.SerialNumber).HasMaxLength(ResourceLimits.ExternalId);
        builder.Property(d => d.Metadata).HasJsonMap().HasMaxLength(ResourceLimits.MetadataJson);
        builder.HasOne<Place>().WithMany().HasForeignKey(d => d.PlaceId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<DeviceType>().WithMany().HasForeignKey(d => d.DeviceTypeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(d => new { d.OrganizationId, d.SerialNumber }).IsUnique().HasFilter("\"SerialNumber\" IS NOT NULL");
    }
}

public sealed class ResourceMappingConfiguration : IEntityTypeConfiguration<ResourceMapping>
{
    public void Configure(EntityTypeBuilder<ResourceMapping> builder)
    {
        builder.Property(m => m.ExternalId).HasMaxLength(ResourceLimits.ExternalId);
        builder.Property(m => m.ResourceKind).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(m => new { m.IntegrationId, m.ExternalId }).IsUnique();
        builder.HasIndex(m => new { m.ResourceKind, m.ResourceId });
    }
}
