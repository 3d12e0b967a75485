namespace IntegrationsPortal.Infrastructure.Security;

/// <summary>What a role may do. Admin includes Operate, which includes View.</summary>
public enum PortalPermission
{
    View,
    Operate,
    Administer,
}

/// <summary>The three roles, and which permissions each grants.</summary>
public static class PortalRoles
{
    public const string Admin = "Admin";
    public const string Operator = "Operator";
    public const string Viewer = "Viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Operator, Viewer];

    public static bool Grants(string? role, PortalPermission permission) => (role, permission) switch
    {
        (Admin, _) => true,
        (Operator, PortalPermission.View or PortalPermission.Operate) => true,
        (Viewer, PortalPermission.View) => true,
        _ => false,
    };

    public static string Describe(string role) => role switch
    {
        Admin => "Manages users and organization settings, and everything an Operator does.",
        Operator => "Creates, configures, tests and backfills integrations.",
        Viewer => "Reads everything, changes nothing.",
        _ => role,
    };
}

/// <summary>Authorization policy names, one per permission, for pages and endpoints.</summary>
public static class PortalPolicies
{
    public const string CanView = "CanView";
    public const string CanOperate = "CanOperate";
    public const string CanAdminister = "CanAdminister";

    /// <summary>The Platform page and /api/platform: platform administrators, whatever their role in their organization.</summary>
    public const string CanRunPlatform = "CanRunPlatform";
}

public static class PortalClaims
{
    /// <summary>The organization the signed-in user belongs to; every tenant query filters by it.</summary>
    public const string OrganizationId = "portal:org";
    public const string OrganizationName = "portal:org_name";
    public const string DisplayName = "portal:display_name";

    /// <summary>Present ("true") only for platform administrators.</summary>
    public const string PlatformAdministrator = "portal:platform_admin";
}
