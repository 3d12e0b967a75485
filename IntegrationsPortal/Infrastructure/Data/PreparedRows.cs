using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Metadata;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// Writes many rows of one entity with one prepared statement, reusing EF Core's mapping (column
/// names, value converters, parameter types). SaveChanges sends a batch of distinct statement
/// texts that SQLite parses one by one; for the delivery dispatcher's thousands of rows a second
/// that parsing dominated, so its hot path writes through here instead. Bypasses the change
/// tracker and the tenant stamp: callers set OrganizationId themselves.
/// </summary>
public static class PreparedRows
{
    public static async Task InsertAsync<T>(DbContext db, IReadOnlyCollection<T> rows, CancellationToken ct)
        where T : class
    {
        var (entity, table) = Table<T>(db);
        var properties = entity.GetProperties().ToList();
        var columns = string.Join(", ", properties.Select(p => Quote(p.GetColumnName(table)!)));
        await ExecuteInGroupsAsync(db, properties, rows,
            count => $"INSERT INTO {Quote(table.Name)} ({columns}) VALUES {ValueRows(count, properties.Count)}", ct);
    }

    /// <summary>
    /// Inserts the rows that break no unique index and skips the others (an idempotency key already
    /// there); says of each row whether it was inserted.
    /// </summary>
    public static async Task<bool[]> InsertNewAsync<T>(DbContext db, IReadOnlyCollection<T> rows, CancellationToken ct)
        where T : class
    {
        var (entity, table) = Table<T>(db);
        var properties = entity.GetProperties().ToList();
        var columns = string.Join(", ", properties.Select(p => Quote(p.GetColumnName(table)!)));
        var values = string.Join(", ", properties.Select((_, i) => $"@p{i}"));
        var affected = await ExecuteAsync(db, $"INSERT INTO {Quote(table.Name)} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING", properties, rows, ct);
        return affected.Select(n => n > 0).ToArray();
    }

    /// <summary>
    /// Updates <paramref name="changed"/> of each row, found by primary key: a group of rows per statement,
    /// joined to their new values as a VALUES list (UPDATE ... FROM, SQLite 3.33 and PostgreSQL).
    /// </summary>
    public static async Task UpdateAsync<T>(DbContext db, IReadOnlyCollection<T> rows, IReadOnlyList<string> changed, CancellationToken ct)
        where T : class
    {
        var (entity, table) = Table<T>(db);
        var set = changed.Select(name => entity.FindProperty(name)!).ToList();
        var key = entity.FindPrimaryKey()!.Properties.Single();
        // A VALUES list's columns are column1, column2, ... on both databases.
        var assignments = string.Join(", ", set.Select((p, i) => $"{Quote(p.GetColumnName(table)!)} = \"v\".column{i + 1}"));
        var name = Quote(table.Name);
        await ExecuteInGroupsAsync(db, [.. set, key], rows,
            count => $"UPDATE {name} SET {assignments} FROM (VALUES {ValueRows(count, set.Count + 1)}) AS \"v\" " +
                     $"WHERE {name}.{Quote(key.GetColumnName(table)!)} = \"v\".column{set.Count + 1}", ct);
    }

    /// <summary>
    /// Most parameters one multi-row statement binds. Microsoft.Data.Sqlite binds by name and SQLite finds
    /// each name by a linear scan, so binding a statement takes time quadratic in its parameters: a few
    /// hundred keep that below what a statement per row costs, and still write a batch in few statements.
    /// </summary>
    private const int ParametersPerStatement = 200;

    /// <summary>
    /// Writes <paramref name="rows"/> a group per statement (<paramref name="sql"/> of a group's row count,
    /// its parameters @p0.. row by row); the full groups' statement is prepared once and reused.
    /// </summary>
    private static async Task ExecuteInGroupsAsync<T>(DbContext db, IReadOnlyList<IProperty> properties, IReadOnlyCollection<T> rows,
        Func<int, string> sql, CancellationToken ct)
        where T : class
    {
        var perStatement = Math.Max(1, ParametersPerStatement / properties.Count);
        var whole = rows.Count / perStatement * perStatement;
        if (whole > 0)
        {
            await ExecuteAsync(db, sql(perStatement), properties, perStatement, rows.Take(whole), ct);
        }

        if (rows.Count > whole)
        {
            await ExecuteAsync(db, sql(rows.Count - whole), properties, rows.Count - whole, rows.Skip(whole), ct);
        }
    }

    /// <summary>"(@p0, @p1), (@p2, @p3)" for 2 rows of 2 columns.</summary>
    private static string ValueRows(int rows, int columns) =>
        string.Join(", ", Enumerable.Range(0, rows).Select(row =>
            "(" + string.Join(", ", Enumerable.Range(row * columns, columns).Select(i => $"@p{i}")) + ")"));

    private static Task<List<int>> ExecuteAsync<T>(DbContext db, string sql, IReadOnlyList<IProperty> properties, IEnumerable<T> rows, CancellationToken ct)
        where T : class => ExecuteAsync(db, sql, properties, 1, rows, ct);

    /// <summary>Runs <paramref name="sql"/> once per <paramref name="rowsPerStatement"/> rows (the rows' count a multiple of it); the rows affected by each run.</summary>
    private static async Task<List<int>> ExecuteAsync<T>(DbContext db, string sql, IReadOnlyList<IProperty> properties, int rowsPerStatement,
        IEnumerable<T> rows, CancellationToken ct)
        where T : class
    {
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        // Parameters made once with EF Core's mapping (SQLite type, converter), then only their values change.
        var columns = Enumerable.Range(0, rowsPerStatement * properties.Count).Select(i =>
        {
            var property = properties[i % properties.Count];
            var mapping = (RelationalTypeMapping)property.GetTypeMapping();
            var parameter = mapping.CreateParameter(command, $"@p{i}", null, property.IsNullable);
            command.Parameters.Add(parameter);
            return (Property: property, MaxLength: ColumnLengthCheck.MaxLength(property), Getter: property.GetGetter(), mapping.Converter, Parameter: parameter);
        }).ToArray();
        var affected = new List<int>();
        var next = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < properties.Count; i++)
            {
                var (property, maxLength, getter, converter, parameter) = columns[next++];
                var value = getter.GetClrValue(row);
                value = converter is null || value is null ? value : converter.ConvertToProvider(value);
                if (maxLength is { } max)
                {
                    ColumnLengthCheck.Check(property, max, value);
                }

                parameter.Value = value ?? DBNull.Value;
            }

            if (next == columns.Length)
            {
                affected.Add(await command.ExecuteNonQueryAsync(ct));
                next = 0;
            }
        }

        return affected;
    }

    private static (IEntityType Entity, StoreObjectIdentifier Table) Table<T>(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        return (entity, StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema()));
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
