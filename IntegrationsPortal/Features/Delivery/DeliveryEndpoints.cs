using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Mvc;

namespace IntegrationsPortal.Features.Delivery;

public static class DeliveryEndpoints
{
    /// <summary>Test send, resend, recovery and the delivery history under /api.</summary>
    public static RouteGroupBuilder MapDeliveryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/deliveries", (DeliveryService service, CancellationToken ct, Guid? integration, DeliveryStatus? status,
                DateTimeOffset? from, DateTimeOffset? to, int skip = 0, int take = 25) =>
            service.ListAsync(new DeliveryQuery { IntegrationId = integration, Status = status, From = from, To = to, Skip = skip, Take = take }, ct));
        api.MapGet("/deliveries/{id:guid}", (Guid id, DeliveryService service, CancellationToken ct) => service.GetAsync(id, ct));

        var writes = api.MapGroup("/").RequireAuthorization(PortalPolicies.CanOperate);
        writes.MapPost("/integrations/{id:guid}/test", async (Guid id, TestSendInput input, DeliveryService service, CancellationToken ct,
            [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey) =>
        {
            var accepted = await service.SendTestAsync(id, input.Payload, idempotencyKey, ct);
            return TypedResults.Accepted($"/api/deliveries/{accepted.MessageId}", accepted);
        });
        // The new secret goes to the caller once, for the receiving side; reveal gives it again, audited.
        writes.MapPost("/integrations/{id:guid}/signing-secret/rotate", async (Guid id, IntegrationSecrets service, CancellationToken ct) =>
            TypedResults.Ok(new SigningSecretOutput(await service.RotateSigningSecretAsync(id, ct: ct))));
        writes.MapPost("/integrations/{id:guid}/signing-secret/reveal", async (Guid id, IntegrationSecrets service, CancellationToken ct) =>
            TypedResults.Ok(new SigningSecretOutput(await service.RevealSigningSecretAsync(id, ct))));
        writes.MapPost("/deliveries/{id:guid}/resend", async (Guid id, DeliveryService service, CancellationToken ct) =>
        {
            await service.ResendAsync(id, ct);
            return TypedResults.Accepted($"/api/deliveries/{id}");
        });
        writes.MapPost("/deliveries/{id:guid}/retry-now", async (Guid id, DeliveryService service, CancellationToken ct) =>
        {
            await service.RetryNowAsync(id, ct);
            return TypedResults.Accepted($"/api/deliveries/{id}");
        });
        writes.MapPost("/deliveries/recover", async (RecoverInput input, DeliveryService service, CancellationToken ct) =>
            TypedResults.Ok(new { resent = await service.RecoverFailedAsync(input.Since, input.IntegrationId, ct) }));
        return api;
    }
}

public sealed record TestSendInput(string Payload);

public sealed record SigningSecretOutput(string SigningSecret);

public sealed record RecoverInput(DateTimeOffset Since, Guid? IntegrationId);
