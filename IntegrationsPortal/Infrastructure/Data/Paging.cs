using System.Linq.Expressions;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>The history pages' filter-then-page shape, once.</summary>
public static class Paging
{
    public const int MaxPageSize = 200;

    /// <summary>Adds the filter only when the query asks for it (an optional field of a history query).</summary>
    public static IQueryable<T> WhereIf<T>(this IQueryable<T> query, bool condition, Expression<Func<T, bool>> predicate) =>
        condition ? query.Where(predicate) : query;

    /// <summary>The total and one page of the ordered query; the page size is kept to 1-200.</summary>
    public static async Task<(List<T> Items, int Total)> PageAsync<T>(this IQueryable<T> query, Func<IQueryable<T>, IOrderedQueryable<T>> order, int skip, int take, CancellationToken ct)
    {
        var total = await query.CountAsync(ct);
        var items = await order(query).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(ct);
        return (items, total);
    }
}
