using System.Globalization;
using System.Text;

namespace IntegrationsPortal.Features.Audit;

/// <summary>
/// The audit export as CSV (RFC 4180). A cell that a spreadsheet would run as a formula (starting
/// with = + - @, a tab or a carriage return) gets a leading apostrophe: audit details hold names
/// that users typed.
/// </summary>
public static class AuditCsv
{
    public const string Header = "sequence,at_utc,actor,address,action,integration_id,details";

    public static string Line(AuditRow row) => string.Join(',',
        row.Sequence.ToString(CultureInfo.InvariantCulture),
        row.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        Cell(row.Actor), Cell(row.Address), Cell(row.Action), row.IntegrationId?.ToString("D") ?? "", Cell(row.Details));

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var text = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0
            ? new StringBuilder("\"").Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"').ToString()
            : text;
    }
}
