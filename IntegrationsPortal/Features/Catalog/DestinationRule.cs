namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// A stored password or token belongs to the place it was entered for. When an integration's
/// destination moves (another URL host, scheme or port; another broker or mail host), the secrets
/// declared <see cref="PropertySpec.FollowsDestination"/> must be typed again, as webhook providers
/// do: otherwise whoever may edit the URL could send the credential, which nobody can read back, to a
/// host of their own. One rule for every type, driven by the catalog's flags.
/// </summary>
public static class DestinationRule
{
    public static string ReenterMessage(PropertySpec secret) =>
        $"Enter the {secret.Label.ToLowerInvariant()} again: the destination changed.";

    /// <summary>Whether any destination property points somewhere else after the change.</summary>
    public static bool Moved(IntegrationType type, IReadOnlyDictionary<string, string?> before, IReadOnlyDictionary<string, string?> after) =>
        type.Properties.Any(p => p is { Destination: true, Sensitive: false }
            && Place(Value(p, before)) != Place(Value(p, after)));

    /// <summary>
    /// The stored secrets that must be typed again before the change is saved: they follow the
    /// destination, apply to the new settings, and were not given with the change.
    /// </summary>
    public static IReadOnlyList<PropertySpec> SecretsToReenter(
        IntegrationType type, IReadOnlyDictionary<string, string?> before, IReadOnlyDictionary<string, string?> after,
        IEnumerable<string> storedSecrets, IEnumerable<string> given)
    {
        if (!Moved(type, before, after))
        {
            return [];
        }

        var stored = storedSecrets.ToHashSet(StringComparer.Ordinal);
        var typed = given.ToHashSet(StringComparer.Ordinal);
        return [.. type.Properties.Where(p => p.FollowsDestination && !p.SetByPortal && stored.Contains(p.Name)
            && !typed.Contains(p.Name) && p.IsVisible(after))];
    }

    private static string? Value(PropertySpec spec, IReadOnlyDictionary<string, string?> values) =>
        values.TryGetValue(spec.Name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : spec.Default;

    // A URL's scheme, host and port; a path or query change keeps the same receiver. A bare host compares without case.
    private static string Place(string? value)
    {
        var text = (value ?? "").Trim();
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.IsAbsoluteUri && !string.IsNullOrEmpty(uri.Host)
            ? $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}"
            : text.TrimEnd('.').ToLowerInvariant();
    }
}
