namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// Records a switch of organization in the audit trail. The Audit feature sits above Accounts
/// (decision 041) and fills this seam.
/// </summary>
public interface IOrganizationSwitchAudit
{
    Task RecordSwitchAsync(PortalUser user, Guid from, Guid to, CancellationToken ct);
}
