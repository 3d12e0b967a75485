using System.Text.Json;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Tells an organization's Admins by email when deliveries through one of its integrations stop
/// (the banner tells them in the portal). The email goes through the normal outbox, by the
/// organization's active Email integration marked "Send portal alerts to Admins", as an automatic
/// message of the reserved event type <see cref="EventType"/>. Only the portal writes that event
/// type (<see cref="DeliveryService.EnqueueAsync"/> refuses it), so only the portal can set the
/// recipients it carries; any other message goes to the integration's own list.
/// </summary>
public sealed class AdminAlerts(IServiceScopeFactory scopes, ILogger<AdminAlerts> logger)
{
    public const string EventType = "portal.alert";

    /// <summary>Event types with this prefix are the portal's own.</summary>
    public const string ReservedPrefix = "portal.";

    /// <summary>The Email integration property that marks the channel for alerts.</summary>
    public const string AlertsProperty = Senders.EmailIntegrationOptions.AlertsProperty;

    /// <summary>The types whose catalog entry offers the alerts flag (Email today).</summary>
    private static readonly string[] AlertChannelTypes =
        Catalog.CatalogData.Types.Where(t => t.Property(AlertsProperty) is not null).Select(t => t.Key).ToArray();

    /// <summary>Queues the alert about <paramref name="stoppedId"/>; returns the message id, or null when no channel or no Admin is there.</summary>
    public async Task<Guid?> DeliveriesStoppedAsync(Guid organizationId, Guid stoppedId, string reason, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
            var channel = await ChannelAsync(db, stoppedId, ct);
            var stopped = await db.Set<Integration>().AsNoTracking().Where(i => i.Id == stoppedId).Select(i => i.Name).SingleOrDefaultAsync(ct);
            if (channel is null || stopped is null)
            {
                return null;
            }

            // Users are not under the tenant filter (see PortalUser), so the organization is matched here.
            var admins = await db.Users.AsNoTracking()
                .Where(u => !u.IsDisabled && u.Email != null)
                .Where(u => db.Memberships.Any(m => m.UserId == u.Id && m.OrganizationId == organizationId && m.Role == PortalRoles.Admin && m.DisabledAt == null))
                .OrderBy(u => u.Email)
                .Select(u => u.Email!)
                .ToListAsync(ct);
            if (admins.Count == 0)
            {
                return null;
            }

            var payload = JsonSerializer.Serialize(new AlertPayload(
                $"Deliveries through {stopped} stopped",
                $"Deliveries through the integration '{stopped}' stopped, and it is now in error.\n\n{reason}\n\n"
                + $"Open it in the portal to see the failed attempts, fix its settings and activate it again: /integrations/{stoppedId}\n",
                admins));
            return await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueuePortalMessageAsync(channel.Value, EventType, payload, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The integration is already in error and the banner shows it; a failed alert must not undo that.
            logger.LogError("Could not queue the alert email about integration {IntegrationId}: {Exception}", stoppedId, e.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// The organization's (of <paramref name="db"/>) alert channel: its oldest active Email integration
    /// marked for alerts, other than <paramref name="except"/>; null when it has none. Invitations go
    /// out through it too.
    /// </summary>
    public static async Task<Guid?> ChannelAsync(PortalDbContext db, Guid? except, CancellationToken ct)
    {
        var emails = await db.Set<Integration>().AsNoTracking()
            .Where(i => AlertChannelTypes.Contains(i.TypeKey) && i.Status == IntegrationStatus.Active && i.Id != except)
            .OrderBy(i => i.CreatedAt)
            .Select(i => new { i.Id, i.Properties })
            .ToListAsync(ct);
        // The flag lives in the properties' JSON, so it is read here rather than in SQL; organizations have few such integrations.
        return emails.FirstOrDefault(i => i.Properties.GetValueOrDefault(AlertsProperty) == "true")?.Id;
    }

    /// <summary>The addresses a portal message (an alert, an invitation) carries; only for the portal's own event types.</summary>
    public static List<string> Recipients(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<AlertPayload>(payload)?.To?.Where(a => !string.IsNullOrWhiteSpace(a)).ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private sealed record AlertPayload(
        [property: System.Text.Json.Serialization.JsonPropertyName("subject")] string Subject,
        [property: System.Text.Json.Serialization.JsonPropertyName("text")] string Text,
        [property: System.Text.Json.Serialization.JsonPropertyName("to")] IReadOnlyList<string>? To);
}
