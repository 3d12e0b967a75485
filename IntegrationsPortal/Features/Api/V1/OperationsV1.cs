using System.Text.Json;
using IntegrationsPortal.Features.Api.OpenApi;
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
        }).Accepts<Body>("application/json")
            .Produces(StatusCodes.Status202Accepted)
            .WithExamples(Examples.Request, (StatusCodes.Status202Accepted, Examples.Accepted), (StatusCodes.Status422UnprocessableEntity, Examples.Invalid));
        operations.MapGet("/{id}", async (string id, OperationService service, CancellationToken ct) =>
            V1Envelope.Ok("Operation retrieved successfully.", ToResource(await service.GetAsync(id, ct))))
            .WithExamples(null, (StatusCodes.Status200OK, Examples.Succeeded));
        return v1;
    }

    /// <summary>What the API reference shows for operations: an SMS asked for, accepted, then delivered.</summary>
    private static class Examples
    {
        public const string Request = """
            {"capability": "send_sms", "payload": {"to": "+14155550143", "text": "Your code is 421337."}}
            """;

        public const string Accepted = """
            {"success": true, "message": "Operation accepted.",
             "data": {"id": "01JE2Q7ZK8M3X5R9T1V4W6Y8A0", "capability": "send_sms", "status": "queued",
                      "integration_id": "01JDQ5M4W6Y2T8V0B1C3D5E7F9", "provider": "twilio", "routing_rule_id": "01JDQ6A2B4C6D8E0F2G4H6J8K0",
                      "fallback_used": false, "attempts": 0, "error_code": null, "error": null, "reference": null,
                      "created_at": "2026-12-02T10:15:00+00:00", "updated_at": "2026-12-02T10:15:00+00:00", "completed_at": null},
             "meta": null}
            """;

        public const string Succeeded = """
            {"success": true, "message": "Operation retrieved successfully.",
             "data": {"id": "01JE2Q7ZK8M3X5R9T1V4W6Y8A0", "capability": "send_sms", "status": "succeeded",
                      "integration_id": "01JDQ5M4W6Y2T8V0B1C3D5E7F9", "provider": "twilio", "routing_rule_id": "01JDQ6A2B4C6D8E0F2G4H6J8K0",
                      "fallback_used": false, "attempts": 1, "error_code": null, "error": null, "reference": "SM9f3b2c1d0e4a5b6c7d8e9f0a1b2c3d4e",
                      "created_at": "2026-12-02T10:15:00+00:00", "updated_at": "2026-12-02T10:15:01+00:00", "completed_at": "2026-12-02T10:15:01+00:00"},
             "meta": null}
            """;

        public const string Invalid = """
            {"success": false, "message": "The given data was invalid.",
             "errors": {"payload.to": ["The recipient's number must be in E.164 form, like +14155550100."]}}
            """;
    }

    private static Resource ToResource(OperationView o) => new(
        o.Id, o.Capability, JsonNamingPolicy.SnakeCaseLower.ConvertName(o.Status.ToString()), o.IntegrationApiId, o.Provider, o.RuleId, o.FallbackUsed,
        o.Attempts, o.ErrorCode, o.Error, o.Reference, o.CreatedAt, o.UpdatedAt, o.CompletedAt);
}
