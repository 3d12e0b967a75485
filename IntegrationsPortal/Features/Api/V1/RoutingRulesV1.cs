using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;

namespace IntegrationsPortal.Features.Api.V1;

/// <summary>
/// /api/v1/routing-rules: a tenant's routing rules in the published shape (envelope, snake_case,
/// ULID ids, integrations named by their /api/v1 ids). <see cref="RoutingRuleService"/> decides; this translates.
/// </summary>
public static class RoutingRulesV1
{
    /// <summary>POST: every field; PATCH: only those sent change (null on fallback_integration_id removes it).</summary>
    public sealed class Body
    {
        public string? Capability { get; set; }

        public string? IntegrationId { get; set; }

        public int? Priority { get; set; }

        public bool? IsDefault { get; set; }

        /// <summary>Undefined: not sent; null: remove the fallback; a string: the fallback's id.</summary>
        public JsonElement FallbackIntegrationId { get; set; }

        public bool? Enabled { get; set; }
    }

    public sealed record Resource(
        string Id, string Capability, string IntegrationId, int Priority, bool IsDefault, string? FallbackIntegrationId, bool Enabled,
        string? Warning, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static RouteGroupBuilder MapRoutingRulesV1(this RouteGroupBuilder v1)
    {
        var rules = v1.MapGroup("/routing-rules");
        rules.MapGet("/", async (HttpRequest request, RoutingRuleService service, string? capability, string? page, [FromQuery(Name = "per_page")] string? perPageText, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            var pageNumber = IntegrationsV1.PositiveNumber(page, 1, int.MaxValue, "page", "The page must be a whole number of 1 or more.", errors);
            var perPage = IntegrationsV1.PositiveNumber(perPageText, IntegrationsV1.DefaultPerPage, IntegrationsV1.MaxPerPage, "per_page", $"per_page must be a whole number from 1 to {IntegrationsV1.MaxPerPage}.", errors);
            if (errors.Count > 0)
            {
                return V1Envelope.Invalid(errors);
            }

            var all = await service.ListAsync(capability, ct);
            var lastPage = Math.Max(1, (int)Math.Ceiling(all.Count / (double)perPage));
            return V1Envelope.Ok(
                "Routing rules retrieved successfully.",
                all.Skip((pageNumber - 1) * perPage).Take(perPage).Select(ToResource).ToList(),
                new IntegrationsV1.PageMeta(pageNumber, perPage, all.Count, lastPage),
                IntegrationsV1.Links(request, pageNumber, lastPage));
        });
        rules.MapGet("/{id}", async (string id, RoutingRuleService service, CancellationToken ct) =>
            V1Envelope.Ok("Routing rule retrieved successfully.", ToResource(await service.GetAsync(id, ct))));

        rules.MapPost("/", async (HttpRequest request, RoutingRuleService service, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<Body>(request, V1Envelope.Json, ct);
            var input = await InputAsync(dbFactory, body, new RoutingRuleInput(), ct);
            var id = await ApiFields.RenamedAsync(() => service.CreateAsync(input, ct), SnakeCase);
            return V1Envelope.Ok("Routing rule created successfully.", ToResource(await service.GetAsync(id, ct)), status: StatusCodes.Status201Created);
        }).Accepts<Body>("application/json");

        rules.MapPatch("/{id}", async (string id, HttpRequest request, RoutingRuleService service, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<Body>(request, V1Envelope.Json, ct);
            var current = await service.GetAsync(id, ct);
            var input = await InputAsync(dbFactory, body, new RoutingRuleInput
            {
                Capability = current.Capability, IntegrationId = current.Integration.Id, Priority = current.Priority,
                IsDefault = current.IsDefault, FallbackIntegrationId = current.Fallback?.Id, Enabled = current.Enabled,
            }, ct);
            await ApiFields.RenamedAsync(() => service.UpdateAsync(id, input, ct), SnakeCase);
            return V1Envelope.Ok("Routing rule updated successfully.", ToResource(await service.GetAsync(id, ct)));
        }).Accepts<Body>("application/json");

        rules.MapDelete("/{id}", async (string id, RoutingRuleService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(id, ct);
            return V1Envelope.Ok("Routing rule deleted successfully.", null);
        });
        return v1;
    }

    private static string SnakeCase(string name) => name.Length == 0 ? "request" : JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary><paramref name="current"/> with what the body sent; the integrations' /api/v1 ids become the portal's keys.</summary>
    private static async Task<RoutingRuleInput> InputAsync(IDbContextFactory<PortalDbContext> dbFactory, Body body, RoutingRuleInput current, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        async Task<Guid?> KeyAsync(string apiId, string field)
        {
            var key = await db.Set<Integration>().Where(i => i.ApiId == apiId).Select(i => (Guid?)i.Id).SingleOrDefaultAsync(ct);
            if (key is null)
            {
                errors[field] = ["No integration has this id."];
            }

            return key;
        }

        var integration = body.IntegrationId is { } integrationId ? await KeyAsync(integrationId, "integration_id") : current.IntegrationId;
        var fallback = current.FallbackIntegrationId;
        switch (body.FallbackIntegrationId.ValueKind)
        {
            case JsonValueKind.Undefined:
                break;
            case JsonValueKind.Null:
                fallback = null;
                break;
            case JsonValueKind.String:
                fallback = await KeyAsync(body.FallbackIntegrationId.GetString()!, "fallback_integration_id");
                break;
            default:
                errors["fallback_integration_id"] = ["The fallback must be an integration id or null."];
                break;
        }

        if (errors.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, V1Envelope.InvalidMessage, errors);
        }

        return current with
        {
            Capability = body.Capability ?? current.Capability,
            IntegrationId = integration,
            Priority = body.Priority ?? current.Priority,
            IsDefault = body.IsDefault ?? current.IsDefault,
            FallbackIntegrationId = fallback,
            Enabled = body.Enabled ?? current.Enabled,
        };
    }

    private static Resource ToResource(RoutingRuleView rule) => new(
        rule.Id, rule.Capability, rule.Integration.ApiId, rule.Priority, rule.IsDefault, rule.Fallback?.ApiId, rule.Enabled,
        rule.Warning, rule.CreatedAt, rule.UpdatedAt);
}
