using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Integrations;

public static class IntegrationEndpoints
{
    /// <summary>/api/catalog and /api/integrations: the same services and rules as the pages.</summary>
    public static RouteGroupBuilder MapIntegrationsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/catalog", (CatalogService catalog, CancellationToken ct, string? search, IntegrationDirection? direction) =>
            catalog.ListAsync(new CatalogQuery(search, direction), ct));

        var integrations = api.MapGroup("/integrations");
        integrations.MapGet("/", (IntegrationQueries service, CancellationToken ct, string? search, IntegrationDirection? direction,
                string? type, IntegrationStatus? status, string? category, IntegrationSort sort = IntegrationSort.CreatedAt,
                bool descending = true, int skip = 0, int take = 25) =>
            service.ListAsync(new IntegrationQuery
            {
                Search = search, Direction = direction, TypeKey = type, Status = status, Category = category,
                SortBy = sort, Descending = descending, Skip = skip, Take = take,
            }, ct));
        integrations.MapGet("/{id:guid}", (Guid id, IntegrationQueries service, CancellationToken ct) => service.GetAsync(id, ct));

        var writes = integrations.MapGroup("/").RequireAuthorization(PortalPolicies.CanOperate);
        writes.MapPost("/", async (CreateIntegrationInput input, IntegrationService service, IntegrationQueries queries, CancellationToken ct) =>
        {
            var id = await service.CreateAsync(input, ct);
            // Verification runs as a job; the integration is pending_verify until it reports.
            return TypedResults.Created($"/api/integrations/{id}", await queries.GetAsync(id, ct));
        });
        writes.MapPut("/{id:guid}", async (Guid id, UpdateIntegrationInput input, IntegrationService service, IntegrationQueries queries, CancellationToken ct) =>
        {
            await service.UpdateAsync(id, input, ct);
            return TypedResults.Ok(await queries.GetAsync(id, ct));
        });
        writes.MapPut("/{id:guid}/secrets", async (Guid id, Dictionary<string, string> secrets, IntegrationService service, IntegrationQueries queries, CancellationToken ct) =>
        {
            await service.ReplaceSecretsAsync(id, secrets, ct);
            return TypedResults.Accepted($"/api/integrations/{id}", await queries.GetAsync(id, ct));
        });
        writes.MapPost("/{id:guid}/verify", async (Guid id, IntegrationService service, IntegrationQueries queries, CancellationToken ct) =>
        {
            await service.VerifyNowAsync(id, ct);
            return TypedResults.Accepted($"/api/integrations/{id}", await queries.GetAsync(id, ct));
        });
        writes.MapPost("/{id:guid}/disable", async (Guid id, IntegrationService service, IntegrationQueries queries, CancellationToken ct) =>
        {
            await service.DisableAsync(id, ct);
            return TypedResults.Ok(await queries.GetAsync(id, ct));
        });
        writes.MapPost("/{id:guid}/activate", async (Guid id, IntegrationService service, IntegrationQueries queries, CancellationToken ct) =>
        {
            await service.ActivateAsync(id, ct);
            return TypedResults.Ok(await queries.GetAsync(id, ct));
        });
        writes.MapDelete("/{id:guid}", async (Guid id, IntegrationService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(id, ct);
            return TypedResults.NoContent();
        });

        api.MapPost("/vault/rewrap", (VaultService vault, CancellationToken ct) => vault.RewrapOrganizationAsync(ct))
            .RequireAuthorization(PortalPolicies.CanAdminister);
        return api;
    }
}
