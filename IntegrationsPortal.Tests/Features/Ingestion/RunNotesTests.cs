using Bunit;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Ingestion.Components;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Ingestion;

/// <summary>The Data tab's runs list: everything a run noted can be read in full by the operator, not only hovered.</summary>
public sealed class RunNotesTests : ComponentTest
{
    private const string Note = "Weather skipped 3 mapped place(s) without coordinates: North Campus, Harbour depot, Riverside annex. Give them a latitude and longitude to fetch their weather.";
    private const string Error = "The provider answered 401 Unauthorized for https://meters.example/api/v2/readings?from=2026-11-01: check the API token under Credentials.";

    [Fact]
    public async Task RunsList_ShowsEveryUnmappedId_TheFullNote_AndTheFullError()
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var id = await portal.Services.CreateIntegrationAsync(acme, new CreateIntegrationInput
        {
            TypeKey = "utility-data", Name = "Meters",
            Properties = new() { ["base_url"] = "http://127.0.0.1:1/", ["api_token"] = "meters-token-1" },
        });
        string[] unmapped = [.. Enumerable.Range(1, 8).Select(i => $"MPAN-10{i:00}")];
        await using (var scope = portal.Services.AsAdmin(acme))
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var now = DateTimeOffset.UtcNow;
            db.Add(new IngestionRun
            {
                Id = Guid.CreateVersion7(), IntegrationId = id, Kind = IngestionKind.Backfill, Status = IngestionRunStatus.Failed,
                From = now.AddDays(-2), To = now, WindowSize = TimeSpan.FromDays(1), WindowsTotal = 2, WindowsDone = 1,
                UnmappedReadings = 768, UnmappedExternalIds = [.. unmapped], Note = Note, Error = Error,
                RequestedBy = acme.AdminEmail, CreatedAt = now, StartedAt = now, FinishedAt = now,
            });
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }

        var detail = await portal.Services.GetIntegrationAsync(acme, id);
        var panel = Render<IngestionPanel>(p => p.Add(x => x.Detail, detail));
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=run-unmapped]")));
        panel.Find("[data-testid=run-unmapped-toggle]").Click();

        var notes = panel.Find("[data-testid=run-unmapped]").TextContent;
        Assert.All(unmapped, externalId => Assert.Contains(externalId, notes, StringComparison.Ordinal));
        Assert.Equal(Note, panel.Find("[data-testid=run-note]").TextContent.Trim());
        Assert.Equal(Error, panel.Find("[data-testid=run-error]").TextContent.Trim());
    }
}
