using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// Refuses, on SQLite, a text longer than its column, as PostgreSQL does (error 22001). SQLite stores any
/// length, so a value too long for its column passed every SQLite test and failed only on PostgreSQL, where
/// it broke the whole batch it was written in (an MQTT attempt's method, 2026-12-03). Checked wherever rows
/// are written through the model: SaveChanges (this interceptor) and <see cref="PreparedRows"/>. Bulk
/// updates and hand-written SQL are not covered. The error names the column and both lengths, never the
/// value, which may be a secret.
/// </summary>
public sealed class ColumnLengthCheck : BeforeSaveInterceptor
{
    /// <summary>The longest text <paramref name="property"/>'s column holds, when it is a bounded text column.</summary>
    public static int? MaxLength(IProperty property) =>
        property.GetMaxLength() is { } max && (property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType) == typeof(string) ? max : null;

    /// <summary>Throws when <paramref name="providerValue"/> (as it goes to the database) is longer than <paramref name="max"/>.</summary>
    public static void Check(IProperty property, int max, object? providerValue)
    {
        if (providerValue is not string text || text.Length <= max)
        {
            return;
        }

        // PostgreSQL counts characters, .NET UTF-16 units: a text with surrogate pairs may still fit.
        var characters = text.EnumerateRunes().Count();
        if (characters > max)
        {
            throw new InvalidOperationException(
                $"{property.DeclaringType.GetTableName() ?? property.DeclaringType.DisplayName()}.{property.GetColumnName()} holds at most {max} characters; " +
                $"the value written has {characters}.");
        }
    }

    protected override void BeforeSave(DbContext? db)
    {
        // PostgreSQL checks for itself.
        if (db is null || !db.IsSqlite())
        {
            return;
        }

        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            foreach (var property in entry.Properties)
            {
                if ((entry.State == EntityState.Added || property.IsModified) && MaxLength(property.Metadata) is { } max)
                {
                    Check(property.Metadata, max, ProviderValue(property));
                }
            }
        }
    }

    private static object? ProviderValue(PropertyEntry property) =>
        property.CurrentValue is { } value && property.Metadata.GetTypeMapping().Converter is { } converter ? converter.ConvertToProvider(value) : property.CurrentValue;
}
