using System.Globalization;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// Values that pass as text but can never work, refused next to the field instead of failing every
/// send after the integration went active. Each returns the message, or null when the value is fine.
/// </summary>
public static class PropertyRules
{
    public const string SigningSecretPrefix = "whsec_";

    /// <summary>Standard Webhooks: <c>whsec_</c> and the base64 of 24 to 64 random bytes.</summary>
    public static string? SigningSecret(string value)
    {
        const string form = "A signing secret is whsec_ followed by the base64 of 24 to 64 random bytes; leave it empty to have one generated.";
        if (!value.StartsWith(SigningSecretPrefix, StringComparison.Ordinal))
        {
            return form;
        }

        var key = new byte[value.Length];
        return Convert.TryFromBase64String(value[SigningSecretPrefix.Length..], key, out var length) && length is >= 24 and <= 64 ? null : form;
    }

    /// <summary>A topic to publish to (MQTT 3.1.1 section 4.7): no wildcards, not a broker topic, no U+0000.</summary>
    public static string? PublishTopic(string value) =>
        value.AsSpan().IndexOfAny('+', '#') >= 0 ? "A topic to publish to cannot contain the wildcards + or #."
        : value.StartsWith('$') ? "Topics starting with $ are the broker's own."
        : value.Contains('\0', StringComparison.Ordinal) ? "The topic contains a null character."
        : null;

    /// <summary>A moment in ISO 8601 with its offset, as the portal writes it (2026-12-01T10:00:00.0000000+00:00).</summary>
    public static string? Timestamp(string value) =>
        DateTimeOffset.TryParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
        || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            ? null
            : "Enter a date and time like 2026-12-01T10:00:00Z.";

    /// <summary>A map of HTTP headers (RFC 9110): names are tokens, values have no line breaks or control characters.</summary>
    public static string? HeaderMap(string value)
    {
        foreach (var (name, text) in HeaderMaps.Read(value))
        {
            if (!HeaderMaps.IsHeaderName(name))
            {
                return $"'{name}' is not a header name: letters, digits and !#$%&'*+-.^_`|~ only.";
            }

            if (text.Any(c => char.IsControl(c) && c != '\t'))
            {
                return $"The value of {name} contains a line break or control character.";
            }
        }

        return null;
    }
}
