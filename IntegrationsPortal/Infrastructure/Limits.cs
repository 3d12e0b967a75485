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

    /// <summary>The text cut to <paramref name="max"/> characters with an ellipsis, for columns of that length.</summary>
    public static string Shorten(string text, int max = ErrorMessage) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
