using IntegrationsPortal.Features.Accounts;

namespace IntegrationsPortal.Features.Recipients;

public static class RecipientsEndpoints
{
    /// <summary>/api/integrations/{id}/recipients: the Recipients tab's list, Send code and Confirm.</summary>
    public static RouteGroupBuilder MapRecipientsApi(this RouteGroupBuilder api)
    {
        var recipients = api.MapGroup("/integrations/{id:guid}/recipients");
        recipients.MapGet("/", (Guid id, RecipientService service, CancellationToken ct) => service.ListAsync(id, ct));

        var writes = recipients.MapGroup("/").RequireAuthorization(PortalPolicies.CanOperate);
        writes.MapPost("/{number}/code", async (Guid id, string number, RecipientService service, CancellationToken ct) =>
        {
            await service.SendCodeAsync(id, number, ct);
            return TypedResults.Accepted($"/api/integrations/{id}/recipients", await StatusAsync(service, id, number, ct));
        });
        writes.MapPost("/{number}/confirm", async (Guid id, string number, ConfirmCodeInput input, RecipientService service, CancellationToken ct) =>
        {
            await service.ConfirmAsync(id, number, input.Code, ct);
            return TypedResults.Ok(await StatusAsync(service, id, number, ct));
        });
        return api;
    }

    private static async Task<RecipientStatus> StatusAsync(RecipientService service, Guid id, string number, CancellationToken ct) =>
        (await service.ListAsync(id, ct)).Single(r => r.PhoneNumber == number.Trim());
}

public sealed record ConfirmCodeInput(string? Code);
