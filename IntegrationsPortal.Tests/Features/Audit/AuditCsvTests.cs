using IntegrationsPortal.Features.Audit;

namespace IntegrationsPortal.Tests.Features.Audit;

/// <summary>CSV cells of the audit export: RFC 4180 quoting, and formulas a spreadsheet would run defused.</summary>
public sealed class AuditCsvTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\"")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("=1,2", "\"'=1,2\"")]
    [InlineData("plain name", "plain name")]
    public void Cell_DefusesWhatASpreadsheetWouldRunAsAFormula(string value, string cell) =>
        Assert.Equal(cell, AuditCsv.Cell(value));
}
