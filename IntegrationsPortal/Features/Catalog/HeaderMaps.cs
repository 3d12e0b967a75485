using System.Text.Json;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>Header maps as the forms store them: a JSON object of names to values.</summary>
public static class HeaderMaps
{
    /// <summary>The sealed header map of the webhook and HTTP types (<see cref="Properties.SecretHeaders"/>).</summary>
    public const string SecretProperty = "secret_headers";

    /// <summary>Whether <paramref name="name"/> is an HTTP field name: an RFC 9110 token.</summary>
    public static bool IsHeaderName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));

    /// <summary>The (name, value) pairs of a stored map; none for an empty or unreadable one.</summary>
    public static IReadOnlyDictionary<string, string> Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new Dictionary<string, string>();
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, string>();
        }
    }
}
