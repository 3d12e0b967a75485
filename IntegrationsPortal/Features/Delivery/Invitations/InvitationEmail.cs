using System.Text.Json;
using System.Text.Json.Nodes;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Accounts.Invitations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;

namespace IntegrationsPortal.Features.Delivery.Invitations;

/// <summary>
/// Emails an invitation's link to the invitee through the organization's alert email integration
/// (docs/decisions/011), when it has one; the inviter is shown the link once either way
/// (docs/decisions/035, 2026-12-02 amendment). The link is a bearer secret, and the outbox, the
/// delivery history and its attempts are kept and shown for weeks, so none of them hold it: the
/// queued message's text carries <see cref="LinkPlaceholder"/>, and the link itself travels sealed
/// with the portal's data-protection keys (which the vault encrypts at rest); the link itself stops
/// working when the invitation expires or is used. Only the email sender unseals it, into the mail it hands to the SMTP
/// server; what it records is the text with the placeholder, and the history shows the payload
/// without the sealed value (<see cref="Redact"/>).
/// </summary>
public sealed class InvitationEmail(IServiceScopeFactory scopes, IDataProtectionProvider protection, PortalLinks links, ILogger<InvitationEmail> logger) : IInvitationEmail
{
    /// <summary>Reserved (see <see cref="AdminAlerts.ReservedPrefix"/>): only the portal queues it, and its payload names its recipient.</summary>
    public const string EventType = "portal.invitation";

    public const string LinkPlaceholder = "[invitation link]";

    private const string SealedField = "sealed_link";
    private const string Purpose = "IntegrationsPortal.Invitations.EmailedLink";

    public async Task<Guid?> SendAsync(Guid organizationId, IssuedInvitation issued, CancellationToken ct)
    {
        if (links.Base is not { } portalBase)
        {
            logger.LogWarning("Invitation {InvitationId} not emailed: the portal's address is unknown here; set Portal:PublicUrl", issued.Id);
            return null;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
            if (await AdminAlerts.ChannelAsync(db, except: null, ct) is not { } channel)
            {
                return null;
            }

            var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => o.Name).SingleAsync(ct);
            var link = portalBase + issued.Link.TrimStart('/');
            var sealedLink = protection.CreateProtector(Purpose).Protect(link);
            var payload = new JsonObject
            {
                ["subject"] = $"You are invited to {organization} on IntegrationsPortal",
                ["text"] = $"You are invited to join {organization} as {issued.Role}.\n\n"
                           + $"Open this link to accept: {LinkPlaceholder}\n\n"
                           + $"It works once, until {issued.ExpiresAt:yyyy-MM-dd HH:mm} UTC. If you did not expect it, ignore this email.\n",
                ["to"] = new JsonArray(issued.Email),
                [SealedField] = sealedLink,
            };
            return await scope.ServiceProvider.GetRequiredService<DeliveryService>()
                .EnqueuePortalMessageAsync(channel, EventType, payload.ToJsonString(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The inviter has the link on screen to pass on; a failed email must not undo the invitation.
            logger.LogError("Could not queue the email of invitation {InvitationId}: {Exception}", issued.Id, e.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// The text the sender mails: <paramref name="text"/> (what it records) with the link unsealed into
    /// it. A link that no longer unseals (keys gone) is mailed as the placeholder.
    /// </summary>
    public static string MailedText(IDataProtectionProvider protection, string payload, string text) =>
        Sealed(payload) is { } value && Unseal(protection, value) is { } link ? text.Replace(LinkPlaceholder, link, StringComparison.Ordinal) : text;

    /// <summary>The payload as the delivery history shows it: without the sealed link.</summary>
    public static string Redact(string payload)
    {
        try
        {
            if (JsonNode.Parse(payload) is JsonObject json && json.ContainsKey(SealedField))
            {
                json[SealedField] = "(sealed; shown to nobody)";
                return json.ToJsonString();
            }
        }
        catch (JsonException)
        {
        }

        return payload;
    }

    private static string? Sealed(string payload)
    {
        try
        {
            return JsonNode.Parse(payload) is JsonObject json && json[SealedField] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Unseal(IDataProtectionProvider protection, string value)
    {
        try
        {
            return protection.CreateProtector(Purpose).Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>
/// The address people open the portal at, for links that leave it (emails): <c>Portal:PublicUrl</c>
/// when set, else the address of the request or circuit that asks (its Host header, which only the
/// signed-in Admin sending the invitation controls).
/// </summary>
public sealed class PortalLinks(IConfiguration configuration, IHttpContextAccessor http, IServiceProvider services)
{
    public string? Base
    {
        get
        {
            if (configuration["Portal:PublicUrl"] is { Length: > 0 } configured)
            {
                return configured.TrimEnd('/') + "/";
            }

            try
            {
                // A circuit knows its address; an HTTP request's navigation manager is not initialized and throws.
                return services.GetService<Microsoft.AspNetCore.Components.NavigationManager>()?.BaseUri;
            }
            catch (InvalidOperationException)
            {
                return http.HttpContext?.Request is { } request ? $"{request.Scheme}://{request.Host}{request.PathBase}/" : null;
            }
        }
    }
}
