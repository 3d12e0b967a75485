using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Api.V1;

/// <summary>The /api/v1 envelope, as published: every answer is {success, message, data, meta}.</summary>
public sealed record V1Envelope(bool Success, string Message, object? Data, object? Meta)
{
    /// <summary>snake_case fields and enum values, whatever the portal's /api uses.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static IResult Ok(string message, object? data, object? meta = null) =>
        TypedResults.Json(new V1Envelope(true, message, data, meta), Json);
}

/// <summary>GET /api/v1/integrations/providers: the provider types a tenant can set up, and whether it has.</summary>
public static class ProvidersV1
{
    /// <summary>The published providers and the published categories they sit in.</summary>
    private static readonly (string TypeKey, string Category)[] Published =
    [
        (TypeKeys.Stripe, "payment"),
        (TypeKeys.Twilio, "communication"),
        (TypeKeys.Plivo, "communication"),
        (TypeKeys.Email, "communication"),
    ];

    // test_send, publish and backfill are the portal's own; the published API names operations only.
    private static readonly HashSet<string> PublishedCapabilities =
    [
        Capabilities.InitiatePayment, Capabilities.ProcessRefund, Capabilities.VerifyPayment,
        Capabilities.SendSms, Capabilities.SendWhatsApp, Capabilities.SendEmail,
    ];

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
                    [.. type.Capabilities.Where(PublishedCapabilities.Contains)],
                    type.Properties.ToDictionary(f => f.Name, f => new CredentialField(JsonNamingPolicy.SnakeCaseLower.ConvertName(f.Type.ToString()), f.Sensitive, f.Required)),
                    configured.Contains(type.Key));
            }).ToList();
            return V1Envelope.Ok("Providers retrieved successfully.", providers, new { total = providers.Count });
        });
        return v1;
    }
}
