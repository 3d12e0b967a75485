using System.Text.Json;
using IntegrationsPortal.Features.Operations;

namespace IntegrationsPortal.Features.Api.V1;

/// <summary>
/// /api/v1/operations: a program asks for a capability with a payload and polls the outcome.
/// <see cref="OperationService"/> routes and delivers; this translates.
/// </summary>
public static class OperationsV1
{
    public sealed class Body
    {
        public string? Capability { get; set; }

        public JsonElement Payload { get; set; }
    }

    public sealed record Resource(
        string Id, string Capability, string Status, string? IntegrationId, string? Provider, string? RoutingRuleId, bool FallbackUsed,
        int Attempts, string? ErrorCode, string? Error, string? Reference, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt);

    public static RouteGroupBuilder MapOperationsV1(this RouteGroupBuilder v1)
    {
        var operations = v1.MapGroup("/operations");
        operations.MapPost("/", async (HttpRequest request, OperationService service, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<Body>(request, V1Envelope.Json, ct);
            var id = await service.CreateAsync(body.Capability, body.Payload, ct);
            var location = $"{request.PathBase}{ApiKeys.ApiKeyDefaults.V1Prefix}/operations/{id}";
            request.HttpContext.Response.Headers.Location = location;
            return V1Envelope.Ok("Operation accepted.", ToResource(await service.GetAsync(id, ct)), status: StatusCodes.Status202Accepted);
        }).Accepts<Body>("application/json");
        operations.MapGet("/{id}", async (string id, OperationService service, CancellationToken ct) =>
            V1Envelope.Ok("Operation retrieved successfully.", ToResource(await service.GetAsync(id, ct))));
        return v1;
    }

    private static Resource ToResource(OperationView o) => new(
        o.Id, o.Capability, JsonNamingPolicy.SnakeCaseLower.ConvertName(o.Status.ToString()), o.IntegrationApiId, o.Provider, o.RuleId, o.FallbackUsed,
        o.Attempts, o.ErrorCode, o.Error, o.Reference, o.CreatedAt, o.UpdatedAt, o.CompletedAt);
}
