using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Uplinks;

public sealed record UnmappedDeviceRow(string DeviceEui, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Count) : IGridRow
{
    object IGridRow.RowKey => DeviceEui;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(UnmappedDeviceRow? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

public sealed record RejectedUplinkRow(long Id, DateTimeOffset At, int StatusCode, string Reason) : IGridRow
{
    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(RejectedUplinkRow? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

/// <summary>Uplinks accepted in one minute (its start, UTC).</summary>
public sealed record UplinkMinute(DateTimeOffset Minute, int Count);

/// <summary>Whether the integration has a working token, and until when the previous one still works after a rotation.</summary>
public sealed record UplinkTokenState(bool HasToken, DateTimeOffset? PreviousValidUntil);

public sealed record UplinkActivity(DateTimeOffset? LastUplinkAt, IReadOnlyList<UplinkMinute> PerMinute);

/// <summary>What an uplink integration's page and a device's panel show; the tenant filter keeps each to its organization.</summary>
public sealed class UplinkQueries(IDbContextFactory<PortalDbContext> dbFactory, CurrentUser currentUser, TimeProvider time)
{
    /// <summary>EUIs that pushed while unmapped and still are: mapping one makes it drop off this list.</summary>
    public async Task<IReadOnlyList<UnmappedDeviceRow>> UnmappedAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "view uplinks");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Translated to SQL's upper(); the culture-aware overloads the analyzers ask for are not translatable.
#pragma warning disable CA1304, CA1311
        var mapped = db.ResourceMappings.Where(m => m.IntegrationId == integrationId).Select(m => m.ExternalId.ToUpper());
        var rows = await db.Set<UnmappedDevice>().AsNoTracking()
            .Where(d => d.IntegrationId == integrationId && !mapped.Contains(d.DeviceEui.ToUpper()))
#pragma warning restore CA1304, CA1311
            .OrderByDescending(d => d.LastSeenTicks).Take(200)
            .ToListAsync(ct);
        return rows.Select(d => new UnmappedDeviceRow(d.DeviceEui, Utc(d.FirstSeenTicks), Utc(d.LastSeenTicks), d.Count)).ToList();
    }

    public async Task<IReadOnlyList<RejectedUplinkRow>> RejectedAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "view uplinks");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<RejectedUplink>().AsNoTracking()
            .Where(r => r.IntegrationId == integrationId).OrderByDescending(r => r.Id)
            .Select(r => new RejectedUplinkRow(r.Id, r.At, r.StatusCode, r.Reason)).ToListAsync(ct);
    }

    /// <summary>The last uplink time and the count for each of the last 60 minutes (zeros included, oldest first).</summary>
    public async Task<UplinkActivity> ActivityAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "view uplinks");
        var now = time.GetUtcNow();
        var thisMinute = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var from = thisMinute.AddMinutes(-59).UtcTicks;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Both reads in one snapshot: a push committed between them showed "2 uplinks in the last hour" beside
        // "Last uplink: none yet" (CI, the panel's PostgreSQL test) until the next refresh.
        await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var uplinks = db.Set<Uplink>().Where(u => u.IntegrationId == integrationId);
        var last = await uplinks.MaxAsync(u => (long?)u.AcceptedAtTicks, ct);
        var counts = await uplinks.Where(u => u.AcceptedAtTicks >= from)
            .GroupBy(u => u.AcceptedAtTicks / TimeSpan.TicksPerMinute)
            .Select(g => new { Minute = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Minute, g => g.Count, ct);
        var perMinute = Enumerable.Range(0, 60)
            .Select(i => thisMinute.AddMinutes(i - 59))
            .Select(m => new UplinkMinute(m, counts.GetValueOrDefault(m.UtcTicks / TimeSpan.TicksPerMinute)))
            .ToList();
        return new UplinkActivity(last is { } ticks ? Utc(ticks) : null, perMinute);
    }

    /// <summary>When the device at <paramref name="resourcePath"/> (devices/{id}) last pushed, for its panel.</summary>
    public async Task<DateTimeOffset?> LastUplinkOfAsync(string resourcePath, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "view uplinks");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var last = await db.Set<Uplink>().Where(u => u.ResourcePath == resourcePath).MaxAsync(u => (long?)u.AcceptedAtTicks, ct);
        return last is { } ticks ? Utc(ticks) : null;
    }

    public async Task<UplinkTokenState> TokenStateAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "view uplinks");
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tokens = await db.Set<UplinkToken>().AsNoTracking().Where(t => t.IntegrationId == integrationId)
            .Select(t => t.ExpiresAt).ToListAsync(ct);
        // SQLite cannot compare DateTimeOffset columns, so the few tokens (two at most working) are compared here.
        var previous = tokens.Where(e => e is { } at && at > now).Max();
        return new UplinkTokenState(tokens.Any(e => e is null), previous);
    }

    private static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);
}
