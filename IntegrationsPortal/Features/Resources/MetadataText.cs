namespace IntegrationsPortal.Features.Resources;

/// <summary>Metadata as forms edit it: one <c>key=value</c> per line.</summary>
public static class MetadataText
{
    public static string Format(IReadOnlyDictionary<string, string> metadata) =>
        string.Join("\n", metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"));

    /// <summary>Parses the lines; a line without '=' or a repeated key is refused on the Metadata field.</summary>
    public static Dictionary<string, string> Parse(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = (text ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            var separator = lines[i].IndexOf('=', StringComparison.Ordinal);
            var key = separator > 0 ? lines[i][..separator].Trim() : "";
            if (key.Length == 0 || !result.TryAdd(key, lines[i][(separator + 1)..].Trim()))
            {
                throw PortalException.Invalid("Metadata", $"Line {i + 1} of the metadata needs a new key=value.");
            }
        }

        return result;
    }
}
