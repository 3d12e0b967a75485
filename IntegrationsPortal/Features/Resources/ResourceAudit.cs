using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Resources;

internal static class ResourceAudit
{
    /// <summary>Adds an audit entry to the unit of work, so it is saved with the change it describes.</summary>
    public static void Audit(this PortalDbContext db, CurrentUser user, TimeProvider time, string action, string details) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow(), Actor = user.UserName, Action = action, Details = Limits.Shorten(details, Limits.AuditDetails),
        });
}
