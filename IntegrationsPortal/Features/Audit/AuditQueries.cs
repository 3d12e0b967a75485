using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Audit;

/// <summary>The audit page's filters; every field optional. <see cref="Actor"/> and <see cref="Action"/> match a part.</summary>
public sealed record AuditFilter(
    string? Actor = null, string? Action = null, Guid? IntegrationId = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    /// <summary>The filter as the export endpoint's query string ("" when nothing is filtered).</summary>
    public string ToQueryString() => Microsoft.AspNetCore.Http.QueryString.Create(new Dictionary<string, string?>
    {
        ["actor"] = string.IsNullOrWhiteSpace(Actor) ? null : Actor.Trim(),
        ["action"] = string.IsNullOrWhiteSpace(Action) ? null : Action.Trim(),
        ["integrationId"] = IntegrationId?.ToString("D"),
        ["from"] = From?.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["to"] = To?.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    }.Where(p => p.Value is not null)).ToUriComponent();
}

public sealed record AuditRow(long Sequence, DateTimeOffset At, string Actor, string? Address, string Action, Guid? IntegrationId, string Details) : IGridRow
{
    object IGridRow.RowKey => Sequence;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(AuditRow? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

/// <summary>Reading the current organization's trail: filtered pages for the page, every row for the export.</summary>
public sealed class AuditQueries(IDbContextFactory<PortalDbContext> dbFactory, CurrentUser currentUser, TimeProvider time)
{
    public async Task<(List<AuditRow> Rows, int Total)> PageAsync(AuditFilter filter, int skip, int take, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "read the audit trail");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Ordered and paged as entries, projected after: EF cannot order by a member of a record it builds.
        var (entries, total) = await Filtered(db, filter).PageAsync(q => q.OrderByDescending(a => a.Sequence), skip, take, ct);
        return (entries.ConvertAll(ToRow), total);
    }

    /// <summary>Every matching row, newest first, streamed: an export can span the whole retention.</summary>
    public async IAsyncEnumerable<AuditRow> ExportAsync(AuditFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "export the audit trail");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await foreach (var row in Filtered(db, filter).OrderByDescending(a => a.Sequence)
                           .Select(a => new AuditRow(a.Sequence, a.At, a.Actor, a.Address, a.Action, a.IntegrationId, a.Details))
                           .AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return row;
        }
    }

    /// <summary>Who used or changed one integration's credentials: its entries and its daily use counts.</summary>
    public async Task<List<CredentialUseDay>> CredentialUseAsync(Guid integrationId, int days, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "read the audit trail");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var since = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime.AddDays(-days));
        return await db.Set<CredentialUseCount>().AsNoTracking()
            .Where(c => c.IntegrationId == integrationId && c.Day >= since)
            .OrderByDescending(c => c.Day).ThenBy(c => c.Purpose)
            .Select(c => new CredentialUseDay(c.Day, c.Purpose, c.Count)).ToListAsync(ct);
    }

    private static AuditRow ToRow(AuditEntry a) => new(a.Sequence, a.At, a.Actor, a.Address, a.Action, a.IntegrationId, a.Details);

    private static IQueryable<AuditEntry> Filtered(PortalDbContext db, AuditFilter filter) =>
        db.AuditEntries.AsNoTracking()
            .WhereIf(!string.IsNullOrWhiteSpace(filter.Actor), a => a.Actor.Contains(filter.Actor!.Trim()))
            .WhereIf(!string.IsNullOrWhiteSpace(filter.Action), a => a.Action.Contains(filter.Action!.Trim()))
            .WhereIf(filter.IntegrationId is not null, a => a.IntegrationId == filter.IntegrationId)
            .WhereIf(filter.From is not null, a => a.At >= filter.From)
            .WhereIf(filter.To is not null, a => a.At < filter.To);
}
