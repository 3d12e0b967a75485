namespace IntegrationsPortal.Features.Resources;

/// <summary>The limits on a place's or a device's metadata, the same for both.</summary>
internal static class MetadataRules
{
    public const string Field = "Metadata";

    public const string Limits = "Metadata takes up to 50 entries with a key of 1-100 and a value of up to 500 characters.";

    public static bool IsValid(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null
        || (metadata.Count <= ResourceLimits.MetadataEntries
            && metadata.All(m => m.Key.Trim().Length is > 0 and <= 100 && m.Value is not null && m.Value.Length <= 500));
}
