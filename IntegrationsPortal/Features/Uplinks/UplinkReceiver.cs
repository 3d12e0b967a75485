using System.Buffers;
using System.Text.Json;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>
/// The push endpoint's work, in the order that keeps it cheap to refuse: size, token, status, parse,
/// store. Every refusal has a reason in the body; those of a caller with a valid token are also kept
/// for the integration's page, since the operator, not the network, has to act on them.
/// </summary>
/// <remarks>
/// A singleton: an accepted uplink resolves nothing per request. Recording a refusal needs the request's
/// scope (a context factory, the acting organization), so <see cref="UplinkRejections"/> is resolved from it only then.
/// </remarks>
public sealed class UplinkReceiver(UplinkAuthenticator authenticator, UplinkFormats formats, UplinkStore store, UplinkTelemetry telemetry)
{
    public async Task<IResult> ReceiveAsync(HttpContext context, Guid integrationId)
    {
        var ct = context.RequestAborted;
        if (context.Request.ContentLength > UplinkLimits.Body)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {UplinkLimits.Body / 1024} KB.");
        }

        var caller = await authenticator.AuthenticateAsync(integrationId, Token(context.Request), ct);
        switch (caller.Access)
        {
            case UplinkAccess.UnknownToken:
                // Not recorded: anyone can send these, and the integration's page is for its operator's problems.
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return Refuse(StatusCodes.Status401Unauthorized, "Unknown or revoked token.");
            case UplinkAccess.Disabled:
                return await RejectAsync(context, caller, integrationId, StatusCodes.Status409Conflict, "integration disabled", ct);
        }

        var body = await ReadBodyAsync(context.Request, ct);
        if (body is null)
        {
            return await RejectAsync(context, caller, integrationId, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {UplinkLimits.Body / 1024} KB.", ct);
        }

        // Not cloned: the store reads what it keeps from the elements before it queues them, so the
        // document only has to live until StoreAsync returns its task.
        using var document = Parse(body.Value, out var notJson);
        if (document is null)
        {
            return await RejectAsync(context, caller, integrationId, StatusCodes.Status400BadRequest, $"The body is not JSON: {notJson}", ct);
        }

        Task<StoredUplinks> stored;
        try
        {
            var uplinks = formats.For(caller.TypeKey)!.Parse(document.RootElement, context.Request.Query);
            if (uplinks.Count == 0)
            {
                return Results.Accepted(value: new { stored = 0, duplicates = 0, ignored = true });
            }

            stored = store.StoreAsync(caller.OrganizationId, integrationId, uplinks, ct);
        }
        catch (Exception error) when (error is UplinkRejectedException or JsonException)
        {
            return await RejectAsync(context, caller, integrationId, StatusCodes.Status400BadRequest, error.Message, ct);
        }

        var result = await stored;
        telemetry.Accepted(result.Stored, caller.TypeKey);
        return Results.Accepted(value: new { stored = result.Stored, duplicates = result.Duplicates });
    }

    private static JsonDocument? Parse(ReadOnlyMemory<byte> body, out string? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Authorization: Bearer, else the header a network can be told to add.</summary>
    private static string? Token(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Headers[UplinkHeaders.Token].ToString() is { Length: > 0 } token ? token.Trim() : null;
    }

    /// <summary>The body, or null when it turns out larger than the limit (a chunked body has no Content-Length to refuse early).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, UplinkLimits.Body) + 1);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), ct);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > UplinkLimits.Body)
            {
                return null;
            }
        }
    }

    private static async Task<IResult> RejectAsync(HttpContext context, UplinkCaller caller, Guid integrationId, int status, string reason, CancellationToken ct)
    {
        await context.RequestServices.GetRequiredService<UplinkRejections>().RecordAsync(caller.OrganizationId, integrationId, status, reason, ct);
        return Refuse(status, reason);
    }

    private static IResult Refuse(int status, string reason) => Results.Problem(detail: reason, statusCode: status);
}

/// <summary>The last refused uplinks of each integration, for its page.</summary>
public sealed class UplinkRejections(IDbContextFactory<PortalDbContext> dbFactory, CurrentUser currentUser, TimeProvider time, UplinkEvents events)
{
    public async Task RecordAsync(Guid organizationId, Guid integrationId, int status, string reason, CancellationToken ct)
    {
        // A push has no signed-in user; the token named the organization.
        currentUser.ActAsSystem(organizationId);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(new RejectedUplink { IntegrationId = integrationId, At = time.GetUtcNow(), StatusCode = status, Reason = Limits.Shorten(reason, 500) });
        await db.SaveChangesAsync(ct);
        var keepFrom = await db.Set<RejectedUplink>().Where(r => r.IntegrationId == integrationId)
            .OrderByDescending(r => r.Id).Skip(UplinkLimits.RejectionsKept).Select(r => (long?)r.Id).FirstOrDefaultAsync(ct);
        if (keepFrom is { } oldest)
        {
            await db.Set<RejectedUplink>().Where(r => r.IntegrationId == integrationId && r.Id <= oldest).ExecuteDeleteAsync(ct);
        }

        events.Publish(integrationId);
    }
}
