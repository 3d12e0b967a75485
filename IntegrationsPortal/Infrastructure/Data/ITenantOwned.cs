namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// A row that belongs to one organization. <see cref="PortalDbContext"/> filters every query on it
/// by the current organization and stamps the organization on insert, so a feature cannot forget to.
/// </summary>
public interface ITenantOwned
{
    Guid OrganizationId { get; set; }
}
