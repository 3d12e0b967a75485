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
        var values = string.Join(", ", properties.Select((_, i) => $"@p{i}"));
        await ExecuteAsync(db, $"INSERT INTO {Quote(table.Name)} ({columns}) VALUES ({values})", properties, rows, ct);
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

    /// <summary>Updates <paramref name="changed"/> of each row, found by primary key.</summary>
    public static async Task UpdateAsync<T>(DbContext db, IReadOnlyCollection<T> rows, IReadOnlyList<string> changed, CancellationToken ct)
        where T : class
    {
        var (entity, table) = Table<T>(db);
        var set = changed.Select(name => entity.FindProperty(name)!).ToList();
        var key = entity.FindPrimaryKey()!.Properties.Single();
        var assignments = string.Join(", ", set.Select((p, i) => $"{Quote(p.GetColumnName(table)!)} = @p{i}"));
        await ExecuteAsync(db, $"UPDATE {Quote(table.Name)} SET {assignments} WHERE {Quote(key.GetColumnName(table)!)} = @p{set.Count}",
            [.. set, key], rows, ct);
    }

    private static async Task<List<int>> ExecuteAsync<T>(DbContext db, string sql, IReadOnlyList<IProperty> properties, IEnumerable<T> rows, CancellationToken ct)
        where T : class
    {
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        // Parameters made once with EF Core's mapping (SQLite type, converter), then only their values change.
        var columns = properties.Select((property, i) =>
        {
            var mapping = (RelationalTypeMapping)property.GetTypeMapping();
            var parameter = mapping.CreateParameter(command, $"@p{i}", null, property.IsNullable);
            command.Parameters.Add(parameter);
            return (Getter: property.GetGetter(), mapping.Converter, Parameter: parameter);
        }).ToArray();
        var affected = new List<int>();
        foreach (var row in rows)
        {
            foreach (var (getter, converter, parameter) in columns)
            {
                var value = getter.GetClrValue(row);
                parameter.Value = (converter is null || value is null ? value : converter.ConvertToProvider(value)) ?? DBNull.Value;
            }

            affected.Add(await command.ExecuteNonQueryAsync(ct));
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
