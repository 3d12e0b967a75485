using System.Collections.Concurrent;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Uplinks;

public enum UplinkAccess
{
    Accepted,
    UnknownToken,
    Disabled,
}

/// <summary>Who is pushing: the integration a token belongs to, its organization and type, if it may push now.</summary>
public readonly record struct UplinkCaller(UplinkAccess Access, Guid OrganizationId, string TypeKey);

/// <summary>
/// Answers "may this token push to this integration now" without a database round trip per uplink:
/// integrations and token hashes are cached for a few seconds. A rotation, a revocation and a status
/// change on this node (<see cref="IntegrationEvents"/>) drop the entry at once; the short expiry covers
/// changes made on another node.
/// </summary>
public sealed class UplinkAuthenticator : IDisposable
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, Entry> _integrations = new();
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly IntegrationEvents _events;

    public UplinkAuthenticator(IServiceScopeFactory scopes, TimeProvider time, IntegrationEvents events)
    {
        _scopes = scopes;
        _time = time;
        _events = events;
        _events.Changed += Forget;
    }

    public async ValueTask<UplinkCaller> AuthenticateAsync(Guid integrationId, string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(UplinkAccess.UnknownToken, Guid.Empty, "");
        }

        var now = _time.GetUtcNow();
        if (!_integrations.TryGetValue(integrationId, out var entry) || entry.LoadedAt + Expiry < now)
        {
            entry = await LoadAsync(integrationId, now, ct);
            _integrations[integrationId] = entry;
        }

        var hash = UplinkTokens.Hash(token);
        // Expiry is checked here, not at load, so a grace period ends on time even while cached.
        var valid = entry.Tokens.Any(t => string.Equals(t.Hash, hash, StringComparison.Ordinal) && (t.ExpiresAt is null || t.ExpiresAt > now));
        if (!valid)
        {
            return new(UplinkAccess.UnknownToken, Guid.Empty, "");
        }

        return new(entry.Status == IntegrationStatus.Active ? UplinkAccess.Accepted : UplinkAccess.Disabled, entry.OrganizationId, entry.TypeKey);
    }

    public void Forget(Guid integrationId) => _integrations.TryRemove(integrationId, out _);

    public void Dispose() => _events.Changed -= Forget;

    private async Task<Entry> LoadAsync(Guid integrationId, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        // No organization is signed in on a push; the token decides which one it is, so the tenant filter is lifted here only.
        var integration = await db.Set<Integration>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]).AsNoTracking()
            .Where(i => i.Id == integrationId)
            .Select(i => new { i.OrganizationId, i.TypeKey, i.Status })
            .SingleOrDefaultAsync(ct);
        if (integration is null)
        {
            return new Entry(now, Guid.Empty, "", IntegrationStatus.Inactive, []);
        }

        var tokens = await db.Set<UplinkToken>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]).AsNoTracking()
            .Where(t => t.IntegrationId == integrationId && t.OrganizationId == integration.OrganizationId)
            .Select(t => new TokenEntry(t.Hash, t.ExpiresAt))
            .ToListAsync(ct);
        return new Entry(now, integration.OrganizationId, integration.TypeKey, integration.Status, tokens);
    }

    private sealed record TokenEntry(string Hash, DateTimeOffset? ExpiresAt);

    private sealed record Entry(DateTimeOffset LoadedAt, Guid OrganizationId, string TypeKey, IntegrationStatus Status, IReadOnlyList<TokenEntry> Tokens);
}
