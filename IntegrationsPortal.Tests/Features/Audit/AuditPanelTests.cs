using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Features.Settings.Pages;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Audit;

/// <summary>Settings > Audit log in bunit on the real audit queries and a SQLite file: filters and paging.</summary>
public sealed class AuditPanelTests : ComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private PortalServices _portal = default!;
    private Tenant _acme = default!;

    private async Task<IRenderedComponent<AuditPanel>> RenderAsAdminAsync(Func<Task> seed)
    {
        (_portal, _acme) = await UsePortalServicesAsync(PortalRoles.Admin);
        await seed();
        RenderPopovers();
        return Render<AuditPanel>();
    }

    /// <summary>Writes entries through the context, as features do (the writer chains them).</summary>
    private async Task AddEntriesAsync(params (string Actor, string Action, string Details)[] entries)
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var now = TimeProvider.System.GetUtcNow();
        foreach (var (actor, action, details) in entries)
        {
            db.AuditEntries.Add(new AuditEntry { At = now, Actor = actor, Action = action, Details = details });
        }

        await db.SaveChangesAsync(Ct);
    }

    private static void Apply(IRenderedComponent<AuditPanel> panel, string? who = null, string? what = null, string? from = null)
    {
        if (who is not null)
        {
            panel.Find("input[data-testid=audit-filter-actor]").Change(who);
        }

        if (what is not null)
        {
            panel.Find("input[data-testid=audit-filter-action]").Change(what);
        }

        if (from is not null)
        {
            panel.Find("input[data-testid=audit-filter-from]").Change(from);
        }

        panel.Find("[data-testid=audit-filters]").Submit();
    }

    private static List<string> Column(IRenderedComponent<AuditPanel> panel, string column) =>
        panel.FindAll($"[data-testid=audit-grid] [data-testid={column}]").Select(c => c.TextContent.Trim()).ToList();

    [Fact]
    public async Task WhoAndWhat_NarrowTheTrail_AndTheExportLinkCarriesTheAppliedFilters()
    {
        var panel = await RenderAsAdminAsync(() => AddEntriesAsync(
            ("mallory@acme.test", "integration.updated", "Changed 'Billing' and replaced password."),
            ("mallory@acme.test", "api_key.created", "API key 'Nightly'"),
            ("trent@acme.test", "integration.updated", "Changed 'Meters'.")));

        Apply(panel, who: "mallory");
        panel.WaitForAssertion(() => Assert.Equal(["mallory@acme.test", "mallory@acme.test"], Column(panel, "audit-actor")));

        Apply(panel, what: "integration.updated");
        panel.WaitForAssertion(() => Assert.Equal(["Changed 'Billing' and replaced password."], Column(panel, "audit-details")));
        Assert.Equal("1–1 of 1", panel.Find("[data-testid=audit-range]").TextContent.Trim());
        Assert.Equal("/api/audit/export.csv?actor=mallory&action=integration.updated", panel.Find("[data-testid=audit-export]").GetAttribute("href"));
    }

    [Fact]
    public async Task FromDate_AfterEveryEntry_ShowsNothingMatches()
    {
        var panel = await RenderAsAdminAsync(() => AddEntriesAsync(("mallory@acme.test", "flow.created", "Created flow 'Nightly'.")));
        panel.WaitForAssertion(() => Assert.Contains("mallory@acme.test", Column(panel, "audit-actor")));

        Apply(panel, from: DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        panel.WaitForAssertion(() => Assert.Equal("Nothing recorded that matches.", panel.Find("[data-testid=audit-range]").TextContent.Trim()));
        Assert.Empty(Column(panel, "audit-actor"));
    }

    [Fact]
    public async Task Paging_ShowsNewestFirst_OlderMovesToTheNextPage_AndNewerBack()
    {
        var entries = Enumerable.Range(1, AuditPanel.PageSize + 5).Select(i => ("pager@acme.test", "test.paged", $"Entry {i:D2}")).ToArray();
        var panel = await RenderAsAdminAsync(() => AddEntriesAsync(entries));

        Apply(panel, what: "test.paged");
        panel.WaitForAssertion(() => Assert.Equal($"1–{AuditPanel.PageSize} of {entries.Length}", panel.Find("[data-testid=audit-range]").TextContent.Trim()));
        Assert.Equal("Entry 25", Column(panel, "audit-details")[0]);
        Assert.True(panel.Find("[data-testid=audit-newer]").HasAttribute("disabled"));

        panel.Find("[data-testid=audit-older]").Click();
        panel.WaitForAssertion(() => Assert.Equal($"21–25 of {entries.Length}", panel.Find("[data-testid=audit-range]").TextContent.Trim()));
        Assert.Equal(["Entry 05", "Entry 04", "Entry 03", "Entry 02", "Entry 01"], Column(panel, "audit-details"));
        Assert.True(panel.Find("[data-testid=audit-older]").HasAttribute("disabled"));

        panel.Find("[data-testid=audit-newer]").Click();
        panel.WaitForAssertion(() => Assert.Equal("Entry 25", Column(panel, "audit-details")[0]));
    }
}
