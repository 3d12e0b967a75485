using IntegrationsPortal.Features.Accounts;

namespace IntegrationsPortal.Features.Ingestion;

public static class IngestionEndpoints
{
    /// <summary>Backfills and runs over HTTP: a backfill is accepted at once (202) with the run to follow.</summary>
    public static RouteGroupBuilder MapIngestionApi(this RouteGroupBuilder api)
    {
        api.MapGet("/integrations/{id:guid}/runs", (Guid id, IngestionService ingestion, CancellationToken ct) => ingestion.ListRunsAsync(id, ct: ct));
        api.MapPost("/integrations/{id:guid}/backfills/preview", (Guid id, BackfillInput input, IngestionService ingestion, CancellationToken ct) =>
            ingestion.PreviewBackfillAsync(id, input, ct));

        var writes = api.MapGroup("/").RequireAuthorization(PortalPolicies.CanOperate);
        writes.MapPost("/integrations/{id:guid}/backfills", async (Guid id, BackfillInput input, IngestionService ingestion, CancellationToken ct) =>
        {
            var runId = await ingestion.StartBackfillAsync(id, input, ct);
            return TypedResults.Accepted($"/api/integrations/{id}/runs", new { runId });
        });
        writes.MapPost("/runs/{runId:guid}/cancel", async (Guid runId, IngestionService ingestion, CancellationToken ct) =>
        {
            await ingestion.CancelAsync(runId, ct);
            return TypedResults.Accepted((string?)null);
        });
        writes.MapPost("/runs/{runId:guid}/resume", async (Guid runId, IngestionService ingestion, CancellationToken ct) =>
        {
            await ingestion.ResumeAsync(runId, ct);
            return TypedResults.Accepted((string?)null);
        });
        return api;
    }
}
