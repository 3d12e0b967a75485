using System.Text;

namespace IntegrationsPortal.Features.Resources;

/// <summary>Reads and writes RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF), enough for imports.</summary>
public static class Csv
{
    /// <summary>The records of <paramref name="text"/>, each with the line it starts on; blank lines are skipped.</summary>
    public static IReadOnlyList<(int Line, string[] Fields)> Parse(string text)
    {
        var records = new List<(int, string[])>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var line = 1;
        var recordLine = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                inQuotes = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                EndRecord();
                line++;
                recordLine = line;
            }
            else
            {
                field.Append(c);
            }
        }

        EndRecord();
        return records;

        void EndRecord()
        {
            fields.Add(field.ToString());
            field.Clear();
            if (fields.Count > 1 || fields[0].Trim().Length > 0)
            {
                records.Add((recordLine, fields.Select(f => f.Trim()).ToArray()));
            }

            fields.Clear();
        }
    }

    public static string Write(IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', header.Select(Escape)).Append("\r\n");
        foreach (var row in rows)
        {
            text.AppendJoin(',', row.Select(Escape)).Append("\r\n");
        }

        return text.ToString();
    }

    private static string Escape(string value)
    {
        // A leading =, +, - or @ would run as a formula in a spreadsheet; a quote mark neutralizes it.
        if (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    /// <summary>Splits the CSV into a header (lower-cased) and rows, checking the required columns.</summary>
    public static (string[] Header, IReadOnlyList<(int Line, string[] Fields)> Rows, List<string> FileErrors) ReadTable(
        string text, IReadOnlyCollection<string> required)
    {
        var records = Parse(text ?? "");
        var fileErrors = new List<string>();
        if (records.Count == 0)
        {
            fileErrors.Add("The file is empty.");
            return ([], [], fileErrors);
        }

        var header = records[0].Fields.Select(h => h.ToLowerInvariant()).ToArray();
        var missing = required.Where(r => !header.Contains(r)).ToList();
        if (missing.Count > 0)
        {
            fileErrors.Add($"The header lacks the column(s) {string.Join(", ", missing)}; expected {string.Join(",", required)}.");
        }

        var rows = records.Skip(1).ToList();
        if (rows.Count > ResourceLimits.CsvRows)
        {
            fileErrors.Add($"At most {ResourceLimits.CsvRows} rows per file.");
        }

        return (header, rows, fileErrors);
    }

    public static string Field(string[] header, string[] fields, string column)
    {
        var index = Array.IndexOf(header, column);
        return index >= 0 && index < fields.Length ? fields[index] : "";
    }
}
