using System.Linq.Expressions;
using System.Reflection;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// A search box's "contains, ignoring case", in SQL on both providers. SQLite's LIKE ignores the case of
/// ASCII letters; PostgreSQL's respects it, and ILIKE is its same comparison ignoring case. Until
/// 2026-12-03 every search was a plain LIKE, so on PostgreSQL "WEBHOOK 1" found no integration named
/// "webhook 12" (the integration list's test, once it ran on PostgreSQL). Write the condition with
/// <c>EF.Functions.Like(column, pattern, TextSearch.Escape)</c> and a pattern from <see cref="Containing"/>,
/// and filter with <see cref="WhereIgnoringCase"/>, which makes each LIKE an ILIKE on PostgreSQL.
/// </summary>
public static class TextSearch
{
    /// <summary>The escape character of <see cref="Containing"/>'s patterns.</summary>
    public const string Escape = "\\";

    /// <summary>A LIKE pattern for texts that contain the (trimmed) term, its own %, _ and \ taken literally.</summary>
    public static string Containing(string term) =>
        "%" + term.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal) + "%";

    public static IQueryable<T> WhereIgnoringCase<T>(this IQueryable<T> source, DbContext db, Expression<Func<T, bool>> likeCondition) =>
        source.Where(db.IsSqlite() ? likeCondition : (Expression<Func<T, bool>>)new LikeToILike().Visit(likeCondition));

    private sealed class LikeToILike : ExpressionVisitor
    {
        private static readonly Type[] Parameters = [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)];

        private static readonly MethodInfo Like = typeof(DbFunctionsExtensions).GetMethod(nameof(DbFunctionsExtensions.Like), Parameters)!;

        private static readonly MethodInfo ILike = typeof(NpgsqlDbFunctionsExtensions).GetMethod(nameof(NpgsqlDbFunctionsExtensions.ILike), Parameters)!;

        protected override Expression VisitMethodCall(MethodCallExpression node) =>
            node.Method == Like ? Expression.Call(ILike, node.Arguments.Select(Visit)!) : base.VisitMethodCall(node);
    }
}
