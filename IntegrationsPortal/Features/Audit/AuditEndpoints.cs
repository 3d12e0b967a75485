using IntegrationsPortal.Features.Accounts;

namespace IntegrationsPortal.Features.Audit;

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").RequireAuthorization(PortalPolicies.CanAdminister);
        audit.MapGet("/export.csv", async (HttpContext http, AuditQueries queries, string? actor, string? action,
            Guid? integrationId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = "attachment; filename=\"audit-trail.csv\"";
            // RFC 4180 ends records with CRLF.
            await using var writer = new StreamWriter(http.Response.Body, leaveOpen: true) { NewLine = "\r\n" };
            await writer.WriteLineAsync(AuditCsv.Header);
            await foreach (var row in queries.ExportAsync(new AuditFilter(actor, action, integrationId, from, to), ct))
            {
                await writer.WriteLineAsync(AuditCsv.Line(row));
            }
        });
        return api;
    }
}
