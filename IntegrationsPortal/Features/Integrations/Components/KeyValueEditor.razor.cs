using System.Text.Json;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Integrations.Components;

public partial class KeyValueEditor
{
    private List<Row> rows = [];
    private string? lastJson;

    [Parameter]
    public string? Json { get; set; }

    [Parameter]
    public EventCallback<string?> JsonChanged { get; set; }

    [Parameter]
    public bool Disabled { get; set; }

    /// <summary>What the pairs are (Metadata, Headers): names the group and each input for screen readers.</summary>
    [Parameter]
    public string Label { get; set; } = "Entry";

    [Parameter]
    public string? TestId { get; set; }

    /// <summary>The values are secrets: typed into password boxes.</summary>
    [Parameter]
    public bool Masked { get; set; }

    protected override void OnParametersSet()
    {
        // Our own edits come back as the same JSON: keep the rows (a half-typed row has no key yet).
        if (Json == lastJson)
        {
            return;
        }

        lastJson = Json;
        var map = string.IsNullOrWhiteSpace(Json) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(Json) ?? [];
        rows = map.Select(p => new Row { Key = p.Key, Value = p.Value }).ToList();
    }

    private Task UpdateAsync(Row row, string? key = null, string? value = null)
    {
        row.Key = key ?? row.Key;
        row.Value = value ?? row.Value;
        return PublishAsync();
    }

    private Task RemoveAsync(Row row)
    {
        rows.Remove(row);
        return PublishAsync();
    }

    private Task PublishAsync()
    {
        var complete = rows.Where(r => !string.IsNullOrWhiteSpace(r.Key)).GroupBy(r => r.Key.Trim()).ToDictionary(g => g.Key, g => g.Last().Value);
        lastJson = complete.Count == 0 ? null : JsonSerializer.Serialize(complete);
        return JsonChanged.InvokeAsync(lastJson);
    }

    private sealed class Row
    {
        public string Key { get; set; } = "";

        public string Value { get; set; } = "";
    }
}
