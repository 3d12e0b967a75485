using IntegrationsPortal.Features.Catalog;
using System.Text.Json;

namespace IntegrationsPortal.Features.Flows.Destinations;

/// <summary>HTTP and webhook: the message is the body; a path suffix and extra headers can be set per flow.</summary>
public sealed class HttpDestination : DestinationKind
{
    public const string PathSuffix = Delivery.Senders.MessageParameters.PathSuffix;
    public const string Headers = Delivery.Senders.MessageParameters.Headers;

    // Credentials belong on the integration, where they are sealed; a flow's parameters are shown in the history.
    private static readonly HashSet<string> Refused = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Host", "Content-Length", "Transfer-Encoding", "Content-Type",
        "webhook-id", "webhook-timestamp", "webhook-signature",
    };

    public override IReadOnlyList<DestinationParameter> Parameters { get; } =
    [
        new(PathSuffix, "Path suffix", "Added to the integration's URL, e.g. /meters/{{deviceId}}."),
        new(Headers, "Extra headers", "One per line, Name: value; values may use {{field}}.", Multiline: true),
    ];

    protected override string? Check(string name, string value) => name switch
    {
        PathSuffix when !value.StartsWith('/') => "Start the path suffix with /.",
        PathSuffix when value.Any(char.IsWhiteSpace) || value.Contains("..", StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal)
            => "The path suffix cannot contain spaces, '..' or '#'.",
        Headers => HeaderProblem(value),
        _ => null,
    };

    private static string? HeaderProblem(string value)
    {
        foreach (var line in Lines(value))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var header = colon > 0 ? line[..colon].Trim() : "";
            if (!HeaderMaps.IsHeaderName(header))
            {
                return $"'{line}' is not a header: write Name: value, one per line.";
            }

            if (Refused.Contains(header))
            {
                return $"{header} cannot be set by a flow; credentials and framing headers belong to the integration.";
            }
        }

        return null;
    }

    private static IEnumerable<string> Lines(string value) =>
        value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override RenderedMessage Render(JsonElement message, IReadOnlyDictionary<string, string> values)
    {
        var parameters = new Dictionary<string, string>();
        if (Value(values, PathSuffix) is { } suffix)
        {
            parameters[PathSuffix] = FlowTemplate.Render(suffix, message);
        }

        if (Value(values, Headers) is { } headers)
        {
            // As a JSON object, the shape the HTTP sender already reads for the integration's own headers.
            var rendered = Lines(headers)
                .Select(line => line.Split(':', 2))
                .ToDictionary(p => p[0].Trim(), p => FlowTemplate.Render(p[1].Trim(), message).ReplaceLineEndings(" "));
            parameters[Headers] = JsonSerializer.Serialize(rendered);
        }

        return new(message.GetRawText(), parameters);
    }
}
