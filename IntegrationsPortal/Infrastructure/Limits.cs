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

    /// <summary>
    /// What an attempt records as its method: an HTTP verb, "SMTP", or MQTT's "PUBLISH QoS 1 retain DUP".
    /// Was 10 until 2026-12-03: PostgreSQL refused MQTT's attempts, so no MQTT delivery was ever recorded
    /// there and each was sent again by every run (SQLite does not enforce lengths).
    /// </summary>
    public const int AttemptMethod = 40;

    /// <summary>
    /// The one way text is clipped (error columns, audit details, recorded bodies, messages quoted from
    /// a provider): whole when it fits in <paramref name="max"/> characters, else cut so that it and
    /// <paramref name="marker"/> together fit, so a reader sees that something was left out. The cut
    /// never splits a surrogate pair, which would store half an emoji as an invalid character.
    /// </summary>
    public static string Shorten(string text, int max = ErrorMessage, string marker = "…")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, marker.Length + 1);
        if (text.Length <= max)
        {
            return text;
        }

        var keep = max - marker.Length;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), marker);
    }
}
