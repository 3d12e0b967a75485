namespace IntegrationsPortal.Features.Accounts.Invitations;

public static class InvitationEndpoints
{
    public static RouteGroupBuilder MapInvitationsApi(this RouteGroupBuilder api)
    {
        var invitations = api.MapGroup("/invitations").RequireAuthorization(PortalPolicies.CanAdminister);
        invitations.MapGet("/", (InvitationService service, CancellationToken ct) => service.ListPendingAsync(ct));
        // The link is in this answer only; the portal keeps just its hash.
        invitations.MapPost("/", async (InvitationInput input, InvitationService service, CancellationToken ct) =>
        {
            var issued = await service.InviteAsync(input, ct);
            return TypedResults.Created($"/api/invitations/{issued.Id}", issued);
        });
        invitations.MapDelete("/{id:guid}", async (Guid id, InvitationService service, CancellationToken ct) =>
        {
            await service.RevokeAsync(id, ct);
            return TypedResults.NoContent();
        });
        return api;
    }
}
