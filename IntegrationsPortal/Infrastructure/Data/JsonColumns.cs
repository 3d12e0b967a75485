using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// Small string maps and lists stored as one JSON text column (SQLite has no native type for
/// them), compared by content so change tracking sees edits. Every feature uses these two.
/// </summary>
public static class JsonColumns
{
    public static PropertyBuilder<Dictionary<string, string>> HasJsonMap(this PropertyBuilder<Dictionary<string, string>> property) =>
        property.HasConversion(
            map => JsonSerializer.Serialize(map, (JsonSerializerOptions?)null),
            json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>(),
            new ValueComparer<Dictionary<string, string>>(
                (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                map => map.Aggregate(0, (hash, pair) => hash ^ HashCode.Combine(pair.Key, pair.Value)),
                map => new Dictionary<string, string>(map)));

    public static PropertyBuilder<List<string>> HasJsonList(this PropertyBuilder<List<string>> property) =>
        property.HasConversion(
            list => JsonSerializer.Serialize(list, (JsonSerializerOptions?)null),
            json => JsonSerializer.Deserialize<List<string>>(json, (JsonSerializerOptions?)null) ?? new List<string>(),
            new ValueComparer<List<string>>(
                (a, b) => a!.SequenceEqual(b!),
                list => list.Aggregate(0, HashCode.Combine),
                list => list.ToList()));
}
