using System.Globalization;
using System.Text.Json.Nodes;

namespace IntegrationsPortal.Features.Api.OpenApi;

/// <summary>
/// An endpoint's own examples for the API reference: its request body and its answers by status code.
/// Without them an /api/v1 answer shows the generic envelope example (an integration), which tells a
/// reader nothing of what, say, an operation looks like.
/// </summary>
public sealed record ApiExamples(JsonNode? Request, IReadOnlyDictionary<string, JsonNode> Responses);

public static class ApiExamplesExtensions
{
    /// <summary>Attaches examples, written as JSON, to an endpoint; the document's transformer puts them in place.</summary>
    public static TBuilder WithExamples<TBuilder>(this TBuilder builder, string? request, params (int Status, string Json)[] responses)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiExamples(
            request is null ? null : JsonNode.Parse(request),
            responses.ToDictionary(r => r.Status.ToString(CultureInfo.InvariantCulture), r => JsonNode.Parse(r.Json)!)));
}
