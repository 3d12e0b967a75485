using System.Net;
using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

/// <summary>The audit trail's CSV export over HTTP: Admins only, the page's filters, RFC 4180 cells.</summary>
[Collection(SetUpPortalCollection.Name)]
public class AuditExportApiTests(SetUpPortalFixture portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Export_ForOneIntegration_HasOnlyItsEntries_WithCommasAndQuotesQuoted()
    {
        var name = $"Export, \"quoted\" {Guid.NewGuid():N}"[..40];
        var other = $"Export other {Guid.NewGuid():N}"[..30];
        var id = await portal.App.Services.CreateIntegrationAsync(portal.Acme, Named(name));
        await portal.App.Services.CreateIntegrationAsync(portal.Acme, Named(other));
        var admin = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        var response = await admin.GetAsync($"/api/audit/export.csv?integrationId={id}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var csv = await response.Content.ReadAsStringAsync(Ct);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(AuditCsv.Header, lines[0]);
        // Verification may have added its own entries about the integration by now; every row is about it.
        Assert.All(lines[1..], line => Assert.Contains($",{id:D},", line, StringComparison.Ordinal));
        var created = Assert.Single(lines, l => l.Contains(",integration.created,", StringComparison.Ordinal));
        // The details cell is quoted because of the comma, and its quotes are doubled.
        Assert.Contains(",\"Added ", created, StringComparison.Ordinal);
        Assert.EndsWith($" integration '{name.Replace("\"", "\"\"", StringComparison.Ordinal)}'.\"", created, StringComparison.Ordinal);
        Assert.DoesNotContain(other, csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SetUpPortalFixture.OperatorEmail)]
    [InlineData(SetUpPortalFixture.ViewerEmail)]
    public async Task Export_IsRefusedToOperatorsAndViewers(string email)
    {
        var client = await portal.App.SignedInClientAsync(email);

        var response = await client.GetAsync("/api/audit/export.csv", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static CreateIntegrationInput Named(string name) => IntegrationSeeds.Webhook(name);
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class AuditExportApiOnPostgreSQLTests(SetUpPortalFixture portal) : AuditExportApiTests(portal);
