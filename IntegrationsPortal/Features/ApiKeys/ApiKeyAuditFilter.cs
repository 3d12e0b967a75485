using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.ApiKeys;

/// <summary>
/// Puts every write made with a key in the organization's audit log, whatever the endpoint and
/// whether or not the service below records its own entry: who (the key), what (method and path), outcome.
/// </summary>
public sealed class ApiKeyAuditFilter(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
    : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!ApiKeysExtensions.IsWrite(request.Method))
        {
            return await next(context);
        }

        var outcome = "failed";
        try
        {
            var result = await next(context);
            outcome = result is IStatusCodeHttpResult { StatusCode: { } status } ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "done";
            return result;
        }
        finally
        {
            var details = $"{request.Method} {request.Path} -> {outcome}";
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.Add(AuditEntry.Record(currentUser, time, "api_key.write", Limits.Shorten(details, Limits.AuditDetails)));
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }
}
