using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Api.V1;

/// <summary>The /api/v1 envelope, as published: every answer is {success, message, data, meta}, and lists add links.</summary>
public sealed record V1Envelope(
    bool Success, string Message, object? Data, object? Meta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Links = null)
{
    /// <summary>snake_case fields and enum values, whatever the portal's /api uses.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static IResult Ok(string message, object? data, object? meta = null, object? links = null, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(new V1Envelope(true, message, data, meta, links), Json, statusCode: status);

    /// <summary>A refusal without fields (404, 409, 403): the envelope with success false.</summary>
    public static IResult Fail(int status, string message) =>
        TypedResults.Json(new V1Envelope(false, message, null, null), Json, statusCode: status);

    public const string InvalidMessage = "The given data was invalid.";

    /// <summary>The published validation error: 422 with messages keyed by (snake_case, dotted) field.</summary>
    public static IResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.Json(new V1ValidationError(false, InvalidMessage, errors), Json, statusCode: StatusCodes.Status422UnprocessableEntity);
}

public sealed record V1ValidationError(bool Success, string Message, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>GET /api/v1/integrations/providers: the provider types a tenant can set up, and whether it has.</summary>
public static class ProvidersV1
{
    /// <summary>The published providers and the published categories they sit in.</summary>
    internal static readonly (string TypeKey, string Category)[] Published =
    [
        (TypeKeys.Stripe, "payment"),
        (TypeKeys.Twilio, "communication"),
        (TypeKeys.Plivo, "communication"),
        (TypeKeys.Email, "communication"),
    ];

    public static readonly IReadOnlyList<string> Categories = ["payment", "communication"];

    /// <summary>The published category of a provider type, or null when /api/v1 does not offer it.</summary>
    public static string? CategoryOf(string typeKey) => Published.FirstOrDefault(p => p.TypeKey == typeKey).Category;

    public sealed record CredentialField(string Type, bool Sensitive, bool Required);

    public sealed record Provider(
        string Name, string DisplayName, string Category, IReadOnlyList<string> Capabilities,
        IReadOnlyDictionary<string, CredentialField> CredentialSchema, bool IsConfigured);

    public static RouteGroupBuilder MapProvidersV1(this RouteGroupBuilder v1)
    {
        v1.MapGet("/integrations/providers", async (IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            // The tenant and soft-delete filters leave this organization's live integrations.
            var configured = await db.Set<Integration>().Select(i => i.TypeKey).Distinct().ToListAsync(ct);
            var providers = Published.Select(p =>
            {
                var type = CatalogService.Get(p.TypeKey);
                return new Provider(
                    type.Key, type.DisplayName, p.Category,
                    type.RoutableCapabilities,
                    type.Properties.ToDictionary(f => f.Name, f => new CredentialField(JsonNamingPolicy.SnakeCaseLower.ConvertName(f.Type.ToString()), f.Sensitive, f.Required)),
                    configured.Contains(type.Key));
            }).ToList();
            return V1Envelope.Ok("Providers retrieved successfully.", providers, new { total = providers.Count });
        });
        return v1;
    }
}
