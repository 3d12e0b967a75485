using System.Security.Claims;

namespace IntegrationsPortal.Infrastructure.Security;

/// <summary>
/// Who is acting in this scope (an HTTP request or a Blazor circuit) and for which organization.
/// Set by <see cref="CurrentUserMiddleware"/> for requests and <see cref="CurrentUserCircuitHandler"/>
/// for circuits; a background job sets the organization it works for with <see cref="ActAsSystem"/>.
/// With nothing set, tenant queries return no rows: the safe default.
/// </summary>
public sealed class CurrentUser
{
    private ClaimsPrincipal _principal = new(new ClaimsIdentity());

    public Guid? OrganizationId { get; private set; }

    public string? UserId => _principal.FindFirstValue(ClaimTypes.NameIdentifier);

    public string UserName => _principal.Identity?.Name ?? "system";

    public bool IsAuthenticated => _principal.Identity?.IsAuthenticated == true;

    /// <summary>The client's address, for the audit trail; null outside a request or circuit.</summary>
    public string? Address { get; private set; }

    public void SetAddress(string? address) => Address = address;

    public string? Role => PortalRoles.All.FirstOrDefault(_principal.IsInRole);

    public void Set(ClaimsPrincipal principal)
    {
        _principal = principal;
        OrganizationId = Guid.TryParse(principal.FindFirstValue(PortalClaims.OrganizationId), out var id) ? id : null;
    }

    /// <summary>Acts as the same user in another scope (a fresh scope for Identity work, say).</summary>
    public void CopyFrom(CurrentUser other)
    {
        _principal = other._principal;
        OrganizationId = other.OrganizationId;
        Address = other.Address;
    }

    /// <summary>For jobs: work inside one organization with no user behind it.</summary>
    public void ActAsSystem(Guid organizationId)
    {
        _principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "system"), new Claim(ClaimTypes.Role, PortalRoles.Admin)], "system"));
        OrganizationId = organizationId;
    }

    /// <summary>Platform-wide maintenance from the command line (key rotation): may write any organization's rows.</summary>
    public bool IsPlatform { get; private set; }

    public void ActAsPlatform()
    {
        _principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "platform")], "platform"));
        OrganizationId = null;
        IsPlatform = true;
    }

    public bool Can(PortalPermission permission) => PortalRoles.Grants(Role, permission);

    /// <summary>Refuses the call unless the user's role grants <paramref name="permission"/>.</summary>
    public void Demand(PortalPermission permission, string action)
    {
        if (!Can(permission) || OrganizationId is null)
        {
            throw PortalException.Forbidden(action);
        }
    }

    public Guid RequireOrganization() =>
        OrganizationId ?? throw PortalException.Forbidden("act without an organization");
}
