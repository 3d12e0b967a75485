using System.Data.Common;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The plan the database chooses for a command, for tests that pin an index: SQLite's
/// <c>EXPLAIN QUERY PLAN</c> details or PostgreSQL's <c>EXPLAIN</c> lines, one per line.
/// </summary>
internal static class QueryPlan
{
    /// <summary>Explains <paramref name="command"/> (its text is prefixed; parameters and transaction kept as they are).</summary>
    public static async Task<string> ExplainAsync(DbCommand command, bool sqlite, CancellationToken ct)
    {
        command.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + command.CommandText;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // SQLite: id, parent, notused, detail; PostgreSQL: one text column per line of the plan.
            lines.Add(reader.GetString(sqlite ? 3 : 0));
        }

        return string.Join('\n', lines);
    }
}
