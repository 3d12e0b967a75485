using IntegrationsPortal.Features.Accounts;

namespace IntegrationsPortal.Features.Settings;

public static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettingsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/organization", (SettingsService settings, CancellationToken ct) => settings.GetOrganizationAsync(ct));
        api.MapPut("/organization", async (OrganizationInput input, SettingsService settings, CancellationToken ct) =>
        {
            await settings.RenameOrganizationAsync(input, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanAdminister);

        api.MapPut("/organization/custom-integrations", async (CustomIntegrationsInput input, SettingsService settings, CancellationToken ct) =>
        {
            await settings.SetCustomIntegrationsAsync(input.Enabled, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanAdminister);

        var users = api.MapGroup("/users").RequireAuthorization(PortalPolicies.CanAdminister);
        users.MapGet("/", (SettingsService settings, CancellationToken ct) => settings.ListUsersAsync(ct));
        users.MapPost("/", async (NewUserInput input, SettingsService settings, CancellationToken ct) =>
        {
            var id = await settings.CreateUserAsync(input, ct);
            return TypedResults.Created($"/api/users/{id}", new { id });
        });
        users.MapPut("/{id}/role", async (string id, RoleInput input, SettingsService settings, CancellationToken ct) =>
        {
            await settings.ChangeRoleAsync(id, input.Role, ct);
            return TypedResults.NoContent();
        });
        // Disables or enables the member in this organization only (their other organizations carry on).
        users.MapPut("/{id}/disabled", async (string id, UserDisabledInput input, SettingsService settings, CancellationToken ct) =>
        {
            await settings.SetDisabledAsync(id, input.Disabled, ct);
            return TypedResults.NoContent();
        });
        users.MapDelete("/{id}", async (string id, SettingsService settings, CancellationToken ct) =>
        {
            await settings.RemoveMemberAsync(id, ct);
            return TypedResults.NoContent();
        });
        api.MapGet("/audit", (SettingsService settings, CancellationToken ct, int take = 100) => settings.ListAuditAsync(take, ct))
            .RequireAuthorization(PortalPolicies.CanAdminister);
        return api;
    }

    public sealed record RoleInput(string Role);

    public sealed record CustomIntegrationsInput(bool Enabled);
}
