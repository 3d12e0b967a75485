using System.Security.Cryptography;
using System.Text;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Events;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Infrastructure.Crypto;

namespace IntegrationsPortal.Features.ApiKeys;

public sealed record NewApiKeyInput(string Name, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt);

/// <summary>A key as the settings page lists it: never the key or its hash.</summary>
public sealed record ApiKeyRow(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt) : IGridRow
{
    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(ApiKeyRow? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

/// <summary>The one answer that holds the key itself, returned by create and never again.</summary>
public sealed record CreatedApiKey(ApiKeyRow Row, string Key);

/// <summary>The key behind a request that authenticated.</summary>
public sealed record ApiKeyIdentity(Guid Id, Guid OrganizationId, string Name, string Prefix, ApiKeyScopes Scopes);

/// <summary>Creates, lists and revokes an organization's API keys, and checks a presented key.</summary>
/// <summary>Tells open pages that a key was created, revoked or used, so the list stays current without a reload.</summary>
public sealed class ApiKeyEvents
{
    private readonly Action<Guid> _publish;

    public ApiKeyEvents(LiveEvents live) => _publish = live.Register<Guid>("api-key.changed", organization => Changed?.Invoke(organization));

    public event Action<Guid>? Changed;

    public void Publish(Guid organizationId) => _publish(organizationId);
}

public sealed class ApiKeyService(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, ApiKeyEvents events)
{
    public const int MaxNameLength = 100;

    /// <summary>"ipk_" and 8 characters of the secret: 48 bits, enough to find the row without revealing the key.</summary>
    public const int PrefixLength = 12;

    private const string KeyStart = "ipk_";

    // Writing "last used" on every request would turn each GET into a write; a minute is precise enough to read.
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    public async Task<CreatedApiKey> CreateAsync(NewApiKeyInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "create API keys");
        var name = input.Name?.Trim() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (name.Length is 0 or > MaxNameLength)
        {
            errors[nameof(NewApiKeyInput.Name)] = [$"Give the key a name of 1 to {MaxNameLength} characters."];
        }

        var scopes = ParseScopes(input.Scopes ?? []);
        if (scopes is null)
        {
            errors[nameof(NewApiKeyInput.Scopes)] = ["Choose read, write or both."];
        }

        var now = time.GetUtcNow();
        if (input.ExpiresAt is { } expires && expires <= now)
        {
            errors[nameof(NewApiKeyInput.ExpiresAt)] = ["The expiry must be in the future."];
        }

        if (errors.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, "The API key has invalid fields.", errors);
        }

        var key = BearerSecrets.Issue(KeyStart);
        var apiKey = new ApiKey
        {
            Name = name,
            Prefix = key[..PrefixLength],
            Hash = HashOf(key),
            Scopes = scopes!.Value,
            CreatedBy = currentUser.UserName,
            CreatedAt = now,
            ExpiresAt = input.ExpiresAt,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(apiKey);
        db.Add(AuditEntry.Record(currentUser, time, "api_key.created", $"API key '{name}' ({apiKey.Prefix}…), scopes {Describe(apiKey.Scopes)}"));
        await db.SaveChangesAsync(ct);
        events.Publish(apiKey.OrganizationId);
        return new CreatedApiKey(ToRow(apiKey), key);
    }

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "see API keys");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = await db.Set<ApiKey>().AsNoTracking().ToListAsync(ct);
        return keys.OrderByDescending(k => k.CreatedAt).Select(ToRow).ToList();
    }

    /// <summary>Revokes a key; <see cref="AuthenticateAsync"/> reads the row on every request, so the next one is refused.</summary>
    public async Task RevokeAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "revoke API keys");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.Set<ApiKey>().SingleOrDefaultAsync(k => k.Id == id, ct) ?? throw PortalException.NotFound("The API key");
        if (key.RevokedAt is not null)
        {
            return;
        }

        key.RevokedAt = time.GetUtcNow();
        db.Add(AuditEntry.Record(currentUser, time, "api_key.revoked", $"API key '{key.Name}' ({key.Prefix}…)"));
        await db.SaveChangesAsync(ct);
        events.Publish(key.OrganizationId);
    }

    /// <summary>
    /// The key behind <paramref name="presented"/>, or null when it is unknown, revoked or expired.
    /// Runs before anyone is signed in, so it looks across organizations; the hash comparison takes
    /// the same time wherever the bytes differ.
    /// </summary>
    public async Task<ApiKeyIdentity?> AuthenticateAsync(string presented, CancellationToken ct = default)
    {
        if (presented.Length <= PrefixLength || !presented.StartsWith(KeyStart, StringComparison.Ordinal))
        {
            return null;
        }

        var prefix = presented[..PrefixLength];
        var hash = HashOf(presented);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidates = await db.Set<ApiKey>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(k => k.Prefix == prefix)
            .ToListAsync(ct);
        var now = time.GetUtcNow();
        var key = candidates.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(k.Hash, hash));
        // A suspended organization's keys act for nobody until it is resumed.
        if (key is null || !key.IsUsableAt(now) || await db.IsSuspendedAsync(key.OrganizationId, ct))
        {
            return null;
        }

        if (key.LastUsedAt is null || now - key.LastUsedAt >= LastUsedPrecision)
        {
            // Bypasses the tenant stamp on purpose: no one is signed in yet, and only this key's own row changes.
            await db.Set<ApiKey>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
                .Where(k => k.Id == key.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
            events.Publish(key.OrganizationId);
        }

        return new ApiKeyIdentity(key.Id, key.OrganizationId, key.Name, key.Prefix, key.Scopes);
    }

    public static byte[] HashOf(string key) => BearerSecrets.Hash(key);

    private static ApiKeyScopes? ParseScopes(IReadOnlyList<string> names)
    {
        var scopes = ApiKeyScopes.None;
        foreach (var name in names)
        {
            scopes |= name?.Trim().ToLowerInvariant() switch
            {
                "read" => ApiKeyScopes.Read,
                "write" => ApiKeyScopes.Write,
                _ => (ApiKeyScopes)(-1),
            };
        }

        return scopes is ApiKeyScopes.None || scopes < 0 ? null : scopes;
    }

    public static IReadOnlyList<string> ScopeNames(ApiKeyScopes scopes) =>
        [.. new[] { (ApiKeyScopes.Read, "read"), (ApiKeyScopes.Write, "write") }.Where(s => scopes.HasFlag(s.Item1)).Select(s => s.Item2)];

    private static string Describe(ApiKeyScopes scopes) => string.Join(" and ", ScopeNames(scopes));

    private static ApiKeyRow ToRow(ApiKey k) =>
        new(k.Id, k.Name, k.Prefix, ScopeNames(k.Scopes), k.CreatedBy, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt);
}
