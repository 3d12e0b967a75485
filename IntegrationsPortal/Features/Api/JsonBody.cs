using System.Text.Json;

namespace IntegrationsPortal.Features.Api;

/// <summary>
/// Reads a published API's request body itself, so a body that is not JSON, or not the right
/// shape, is a field error (422) in that API's own format rather than a binding failure (400 with
/// the framework's text, or a 500 page in Development).
/// </summary>
public static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, CancellationToken ct)
        where T : new()
    {
        if (request.ContentLength is 0)
        {
            return new T();
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, options, ct) ?? new T();
        }
        catch (JsonException e)
        {
            // The path says which field was wrong; the message of the exception could echo a value.
            var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "request";
            throw PortalException.Invalid(field, field == "request" ? "The body must be a JSON object." : "This field has the wrong type.");
        }
    }
}
