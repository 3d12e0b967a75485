using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Events;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Routing;

/// <summary>Raised after a routing rule of an organization was added, changed or removed, for open rules pages.</summary>
public sealed class RoutingRuleEvents
{
    private readonly Action<Guid> _publish;

    public RoutingRuleEvents(LiveEvents live) => _publish = live.Register<Guid>("routing-rule.changed", organization => Changed?.Invoke(organization));

    public event Action<Guid>? Changed;

    public void Publish(Guid organizationId) => _publish(organizationId);
}

/// <summary>
/// What operators and programs do to routing rules: list, add, change, remove. The checks live here
/// (a routable capability, live integrations that offer it, a fallback that is another integration,
/// one default per capability), so the rules page and /api/v1/routing-rules refuse the same things.
/// </summary>
public sealed class RoutingRuleService(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, RoutingRuleEvents events)
{
    public const int MaxPriority = 10_000;

    public async Task<IReadOnlyList<RoutingRuleView>> ListAsync(string? capability = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see routing rules");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Set<RoutingRule>().AsNoTracking();
        if (capability is not null)
        {
            query = query.Where(r => r.Capability == capability);
        }

        var rules = await query.OrderBy(r => r.Capability).ThenByDescending(r => r.Priority).ThenByDescending(r => r.IsDefault).ThenBy(r => r.Id).ToListAsync(ct);
        return await ViewsAsync(db, rules, ct);
    }

    public async Task<RoutingRuleView> GetAsync(string id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see routing rules");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rule = await FindAsync(db, id, ct);
        return (await ViewsAsync(db, [rule], ct))[0];
    }

    public async Task<string> CreateAsync(RoutingRuleInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "add routing rules");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ValidateAsync(db, input, ct);
        var now = time.GetUtcNow();
        var rule = new RoutingRule { Id = Ulid.NewUlid(now).ToString(), Capability = input.Capability };
        Apply(rule, input);
        db.Add(rule);
        await ClearOtherDefaultsAsync(db, rule, ct);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "routing_rule.created", $"Added a {rule.Capability} routing rule (priority {rule.Priority})."));
        await db.SaveChangesAsync(ct);
        events.Publish(rule.OrganizationId);
        return rule.Id;
    }

    public async Task UpdateAsync(string id, RoutingRuleInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "change routing rules");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rule = await FindAsync(db, id, ct);
        await ValidateAsync(db, input, ct);
        rule.Capability = input.Capability;
        Apply(rule, input);
        await ClearOtherDefaultsAsync(db, rule, ct);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "routing_rule.updated", $"Changed the {rule.Capability} routing rule {rule.Id}."));
        await db.SaveChangesAsync(ct);
        events.Publish(rule.OrganizationId);
    }

    public async Task DeleteAsync(string id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "delete routing rules");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rule = await FindAsync(db, id, ct);
        db.Remove(rule);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "routing_rule.deleted", $"Deleted the {rule.Capability} routing rule {rule.Id}."));
        await db.SaveChangesAsync(ct);
        events.Publish(rule.OrganizationId);
    }

    /// <summary>The live integrations a rule may point at for <paramref name="capability"/> (all routable ones when null), for choosers.</summary>
    public async Task<IReadOnlyList<RuleTarget>> TargetsAsync(string? capability, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see routing rules");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integrations = await db.Set<Integration>().AsNoTracking().OrderBy(i => i.Name).ToListAsync(ct);
        return [.. integrations
            .Where(i => CatalogService.Get(i.TypeKey).RoutableCapabilities is { Count: > 0 } offered && (capability is null || offered.Contains(capability)))
            .Select(i => Target(i, deleted: false))];
    }

    private static void Apply(RoutingRule rule, RoutingRuleInput input)
    {
        rule.IntegrationId = input.IntegrationId!.Value;
        rule.Priority = input.Priority;
        rule.IsDefault = input.IsDefault;
        rule.FallbackIntegrationId = input.FallbackIntegrationId;
        rule.Enabled = input.Enabled;
    }

    /// <summary>One default per capability: a rule made the default takes the flag from the others.</summary>
    private static async Task ClearOtherDefaultsAsync(PortalDbContext db, RoutingRule rule, CancellationToken ct)
    {
        if (!rule.IsDefault)
        {
            return;
        }

        foreach (var other in await db.Set<RoutingRule>().Where(r => r.Capability == rule.Capability && r.IsDefault && r.Id != rule.Id).ToListAsync(ct))
        {
            other.IsDefault = false;
        }
    }

    private static async Task ValidateAsync(PortalDbContext db, RoutingRuleInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Capability))
        {
            errors[nameof(input.Capability)] = ["The capability field is required."];
        }
        else if (!Capabilities.Routable.Contains(input.Capability))
        {
            errors[nameof(input.Capability)] = [$"The capability must be one of {string.Join(", ", Capabilities.Routable.Order(StringComparer.Ordinal))}."];
        }

        if (input.Priority is < 0 or > MaxPriority)
        {
            errors[nameof(input.Priority)] = [$"The priority must be a whole number from 0 to {MaxPriority:N0}."];
        }

        var capability = errors.ContainsKey(nameof(input.Capability)) ? null : input.Capability;
        if (input.IntegrationId is null)
        {
            errors[nameof(input.IntegrationId)] = ["The integration field is required."];
        }
        else if (await OfferingAsync(db, input.IntegrationId.Value, capability, ct) is { } problem)
        {
            errors[nameof(input.IntegrationId)] = [problem];
        }

        if (input.FallbackIntegrationId is { } fallback)
        {
            if (fallback == input.IntegrationId)
            {
                errors[nameof(input.FallbackIntegrationId)] = ["The fallback must be another integration than the rule's own."];
            }
            else if (await OfferingAsync(db, fallback, capability, ct) is { } problem)
            {
                errors[nameof(input.FallbackIntegrationId)] = [problem];
            }
        }

        if (errors.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, errors.First().Value[0], errors);
        }
    }

    /// <summary>Why integration <paramref name="id"/> cannot be a rule's target for <paramref name="capability"/>, or null.</summary>
    private static async Task<string?> OfferingAsync(PortalDbContext db, Guid id, string? capability, CancellationToken ct)
    {
        var integration = await db.Set<Integration>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (integration is null)
        {
            return "No integration has this id.";
        }

        var type = CatalogService.Get(integration.TypeKey);
        return capability is null || type.RoutableCapabilities.Contains(capability)
            ? null
            : $"'{integration.Name}' ({type.DisplayName}) does not offer {capability}.";
    }

    private static async Task<RoutingRule> FindAsync(PortalDbContext db, string id, CancellationToken ct) =>
        await db.Set<RoutingRule>().SingleOrDefaultAsync(r => r.Id == id, ct) ?? throw PortalException.NotFound("The routing rule");

    private static async Task<IReadOnlyList<RoutingRuleView>> ViewsAsync(PortalDbContext db, IReadOnlyList<RoutingRule> rules, CancellationToken ct)
    {
        var ids = rules.SelectMany(r => r.FallbackIntegrationId is { } f ? [r.IntegrationId, f] : new[] { r.IntegrationId }).Distinct().ToList();
        // Deleted targets too: the page says so rather than hiding the rule.
        var targets = await db.Set<Integration>().IgnoreQueryFilters(["SoftDelete"]).AsNoTracking()
            .Where(i => ids.Contains(i.Id))
            .ToDictionaryAsync(i => i.Id, i => Target(i, i.DeletedAt != null), ct);
        return [.. rules.Select(r => new RoutingRuleView(
            r.Id, r.Capability, targets[r.IntegrationId], r.Priority, r.IsDefault,
            r.FallbackIntegrationId is { } f ? targets[f] : null, r.Enabled, r.CreatedAt, r.UpdatedAt))];
    }

    private static RuleTarget Target(Integration i, bool deleted) =>
        new(i.Id, i.ApiId, i.Name, CatalogService.Get(i.TypeKey).DisplayName, deleted ? null : i.Status, i.EnabledCapabilities);
}
