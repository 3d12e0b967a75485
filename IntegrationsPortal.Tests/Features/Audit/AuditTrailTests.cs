using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Audit;

/// <summary>The chained, append-only trail on a real SQLite file: verification, tampering, concurrency, pruning.</summary>
public class AuditTrailTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Start);
    private PortalServices _portal = default!;
    private Tenant _acme = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalServices.StartAsync(builder => builder.Services.AddSingleton<TimeProvider>(_clock));
        _acme = await _portal.Services.SetUpFirstOrganizationAsync();
    }

    public ValueTask DisposeAsync() => _portal.DisposeAsync();

    [Fact]
    public async Task EachEntry_CarriesTheHashOfTheOneBefore_AndTheTrailVerifies()
    {
        await RenameAsync("Acme One");
        await RenameAsync("Acme Two");

        var entries = await EntriesAsync();
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].Hash, entries[i].PreviousHash);
        }

        var result = await VerifyAsAdminAsync();
        Assert.True(result.Intact, result.Message);
        Assert.Equal(entries.Count, result.EntriesChecked);
        Assert.Contains(await EntriesAsync(), e => e.Action == "audit.verified" && e.Actor == _acme.AdminEmail);
    }

    [Fact]
    public async Task ChangedEntry_IsReportedAsTheFirstBreak()
    {
        await RenameAsync("Acme One");
        await RenameAsync("Acme Two");
        var changed = (await EntriesAsync())[1];

        // What someone with the database file could do: lift the guard and rewrite history.
        await SqlAsync($"""DROP TRIGGER "AuditEntries_AppendOnly"{OnTable}; UPDATE "AuditEntries" SET "Details" = 'nothing happened' WHERE "Id" = {changed.Id};""");

        var result = await VerifyAsAdminAsync();
        Assert.False(result.Intact);
        Assert.Equal(changed.Sequence, result.BrokenAtSequence);
        Assert.Contains($"#{changed.Sequence}", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovedEntries_AreNoticed_InTheMiddleAndAtTheEnd()
    {
        await RenameAsync("Acme One");
        await RenameAsync("Acme Two");
        await RenameAsync("Acme Three");
        var entries = await EntriesAsync();

        await SqlAsync($"""DELETE FROM "AuditEntries" WHERE "Id" = {entries[^1].Id};""");
        var cutOffTheEnd = await VerifyEveryChainAsync();
        Assert.False(cutOffTheEnd.Intact);
        Assert.Contains("missing", cutOffTheEnd.Message, StringComparison.Ordinal);

        await SqlAsync($"""DELETE FROM "AuditEntries" WHERE "Id" = {entries[1].Id};""");
        var holed = await VerifyEveryChainAsync();
        Assert.Equal(entries[2].Sequence, holed.BrokenAtSequence);
    }

    [Fact]
    public async Task SealedEntry_CannotBeChanged_EvenInTheDatabase()
    {
        var entry = (await EntriesAsync())[0];

        var error = await Assert.ThrowsAnyAsync<DbException>(() => SqlAsync($"""UPDATE "AuditEntries" SET "Actor" = 'someone else' WHERE "Id" = {entry.Id};"""));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EntriesRemovedOrChangedThroughTheContext_AreRefused()
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        db.AuditEntries.Remove(await db.AuditEntries.FirstAsync(Ct));

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
    }

    [Fact]
    public async Task SynchronousSave_OfAnEntry_IsRefused_AndWritesNothing()
    {
        var before = (await EntriesAsync()).Count;
        await using (var scope = _portal.Services.AsAdmin(_acme))
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct))
        {
            db.AuditEntries.Add(AuditEntry.Record(scope.ServiceProvider.GetRequiredService<CurrentUser>(), _clock, "test.sync", "Saved without await."));

            var error = Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
            Assert.Contains("SaveChangesAsync", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, (await EntriesAsync()).Count);
    }

    [Fact]
    public async Task EntryOfAFailedChange_IsNotWritten_AndTheNextSaveOnTheContextCommits()
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var user = scope.ServiceProvider.GetRequiredService<CurrentUser>();
        // A change to a flow that is not there (deleted meanwhile, say): the database changes no row.
        db.Update(new IntegrationsPortal.Features.Flows.Flow { Id = Guid.CreateVersion7(), OrganizationId = _acme.OrganizationId, Name = "Gone" });
        db.AuditEntries.Add(AuditEntry.Record(user, _clock, "test.failed", "Changed a flow that is gone."));

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync(Ct));

        db.ChangeTracker.Clear();
        db.AuditEntries.Add(AuditEntry.Record(user, _clock, "test.after", "Saved after the failure."));
        await db.SaveChangesAsync(Ct);
        var entries = await EntriesAsync();
        Assert.DoesNotContain(entries, e => e.Action == "test.failed");
        Assert.Contains(entries, e => e.Action == "test.after");
        Assert.True((await VerifyAsAdminAsync()).Intact);
    }

    [Fact]
    public async Task ConcurrentWriters_ExtendOneUnbrokenChain()
    {
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await using var scope = _portal.Services.AsAdmin(_acme);
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
            db.AuditEntries.Add(AuditEntry.Record(scope.ServiceProvider.GetRequiredService<CurrentUser>(), _clock, "test.concurrent", $"Writer {i}."));
            await db.SaveChangesAsync(Ct);
        }, Ct)));

        var entries = await EntriesAsync();
        Assert.Equal(16, entries.Count(e => e.Action == "test.concurrent"));
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        var result = await VerifyEveryChainAsync();
        Assert.True(result.Intact, result.Message);
    }

    [Fact]
    public async Task Pruning_RemovesEntriesPastRetention_RecordsItself_AndTheKeptTrailVerifies()
    {
        await RenameAsync("Acme Old");
        var old = await EntriesAsync();
        _clock.Advance(TimeSpan.FromDays(401));
        await RenameAsync("Acme New");

        await using (var system = _portal.Services.CreateAsyncScope())
        {
            system.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(_acme.OrganizationId);
            Assert.Equal(old.Count, await system.ServiceProvider.GetRequiredService<AuditTrail>().PruneAsync(Ct));
        }

        var kept = await EntriesAsync();
        Assert.DoesNotContain(kept, e => old.Any(o => o.Id == e.Id));
        var pruning = Assert.Single(kept, e => e.Action == "audit.pruned");
        Assert.Contains($"{old.Count} entries older than 400 days", pruning.Details, StringComparison.Ordinal);
        Assert.Equal(old[^1].Hash, kept[0].PreviousHash);
        var result = await VerifyAsAdminAsync();
        Assert.True(result.Intact, result.Message);

        // Anchored on the last pruned entry: removing the first kept one is still a break, not a new start.
        await SqlAsync($"""DELETE FROM "AuditEntries" WHERE "Id" = {kept[0].Id};""");
        Assert.False((await VerifyEveryChainAsync()).Intact);
    }

    // PostgreSQL names a trigger's table when dropping it; SQLite refuses the clause.
    private string OnTable => _portal.Files.Provider == DatabaseProvider.PostgreSQL ? " ON \"AuditEntries\"" : "";

    private async Task RenameAsync(string name)
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        await scope.ServiceProvider.GetRequiredService<SettingsService>().RenameOrganizationAsync(new OrganizationInput { Name = name }, Ct);
    }

    private async Task<AuditVerification> VerifyAsAdminAsync()
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        return await scope.ServiceProvider.GetRequiredService<AuditTrail>().VerifyAsync(Ct);
    }

    private async Task<AuditVerification> VerifyEveryChainAsync()
    {
        await using var scope = _portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        return Assert.Single(await scope.ServiceProvider.GetRequiredService<AuditTrail>().VerifyEveryChainAsync(Ct));
    }

    private async Task<List<AuditEntry>> EntriesAsync()
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(Ct);
    }

    private async Task SqlAsync(string sql)
    {
        await using var connection = await _portal.OpenDatabaseConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }
}

/// <summary>The same trail on PostgreSQL: its append-only trigger, its row locks for concurrent writers.</summary>
[OnPostgreSQL]
public sealed class AuditTrailOnPostgreSQLTests : AuditTrailTests;
