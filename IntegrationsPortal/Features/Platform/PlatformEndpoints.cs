using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Accounts.Invitations;
using IntegrationsPortal.Features.Settings;

namespace IntegrationsPortal.Features.Platform;

public static class PlatformEndpoints
{
    /// <summary>/api/platform: the Platform page's calls, for platform administrators only.</summary>
    public static RouteGroupBuilder MapPlatformApi(this RouteGroupBuilder api)
    {
        var platform = api.MapGroup("/platform").RequireAuthorization(PortalPolicies.CanRunPlatform);
        platform.MapGet("/organizations", (PlatformService service, CancellationToken ct) => service.ListOrganizationsAsync(ct));
        platform.MapPost("/organizations", async (OrganizationInput input, PlatformService service, CancellationToken ct) =>
        {
            var id = await service.CreateOrganizationAsync(input, ct);
            return TypedResults.Created($"/api/platform/organizations/{id}", new { id });
        });
        // The first Admin of a new organization (or another one): the link is in this answer only.
        platform.MapPost("/organizations/{id:guid}/invitations", async (Guid id, PlatformInvitationInput input, PlatformService service, CancellationToken ct) =>
        {
            var issued = await service.InviteAdministratorAsync(id, input, ct);
            return TypedResults.Created($"/api/platform/organizations/{id}/invitations/{issued.Id}", issued);
        });
        platform.MapPut("/organizations/{id:guid}", async (Guid id, OrganizationInput input, PlatformService service, CancellationToken ct) =>
        {
            await service.RenameOrganizationAsync(id, input, ct);
            return TypedResults.NoContent();
        });
        platform.MapPost("/organizations/{id:guid}/suspend", async (Guid id, PlatformService service, CancellationToken ct) =>
        {
            await service.SuspendOrganizationAsync(id, ct);
            return TypedResults.NoContent();
        });
        platform.MapPost("/organizations/{id:guid}/resume", async (Guid id, PlatformService service, CancellationToken ct) =>
        {
            await service.ResumeOrganizationAsync(id, ct);
            return TypedResults.NoContent();
        });
        platform.MapGet("/administrators", (PlatformService service, CancellationToken ct) => service.ListAdministratorsAsync(ct));
        platform.MapPost("/administrators", async (PlatformAdministratorInput input, PlatformService service, CancellationToken ct) =>
        {
            await service.SetAdministratorAsync(input, appoint: true, ct);
            return TypedResults.NoContent();
        });
        platform.MapPost("/administrators/remove", async (PlatformAdministratorInput input, PlatformService service, CancellationToken ct) =>
        {
            await service.SetAdministratorAsync(input, appoint: false, ct);
            return TypedResults.NoContent();
        });
        return api;
    }
}
