namespace IntegrationsPortal.Infrastructure;

/// <summary>Column lengths shared by the database model and input validation.</summary>
public static class Limits
{
    public const int OrganizationName = 100;
    public const int DisplayName = 100;
    public const int AuditAction = 64;
    public const int AuditDetails = 1000;
    public const int MinPasswordLength = 12;
    public const int IntegrationName = 100;
    public const int ErrorMessage = 1000;

    /// <summary>Cuts <paramref name="text"/> to fit a column of <paramref name="max"/> characters, marking the cut.</summary>
    public static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
