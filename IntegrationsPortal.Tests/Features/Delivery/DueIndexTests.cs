using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// The dispatcher's read of due messages walks the due index in the order it takes them and stops at a
/// batch. Until 2026-12-03 it found the waiting rows through an index on (Status, NextAttemptAt) and sorted
/// all of them for every batch of 500: with 80,000 messages waiting the portal delivered a third fewer
/// per second (docs/decisions/049). A plan, not a timing: the sort shows in the plan on any machine.
/// </summary>
public class DueIndexTests
{
    [Fact]
    public async Task ReadingABatch_WalksTheDueIndexInOrder_WithoutSortingTheBacklog()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await DeliveryHarness.StartAsync();
        await using var scope = harness.Services.GetRequiredService<IServiceScopeFactory>().PlatformScope(out var db);
        await using var context = await db.CreateDbContextAsync(ct);
        var now = harness.Clock.GetUtcNow();

        // The first read of a run, and the reads after it (from its cursor), leaving a busy integration out.
        var first = await PlanAsync(context, ReadDueMessages.Read(context, now, null, [], 500), ct);
        var next = await PlanAsync(context, ReadDueMessages.Read(context, now, (now.AddSeconds(-5), 42), [Guid.CreateVersion7()], 500), ct);

        foreach (var plan in new[] { first, next })
        {
            Assert.Contains(DueMessageQuery.DueIndexName, plan, StringComparison.Ordinal);
            Assert.DoesNotContain(context.IsSqlite() ? "TEMP B-TREE" : "Sort", plan, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The engine's plan for the query as EF Core sends it (same text, same parameters). PostgreSQL costs
    /// an empty table's scan below any index, so it is told to avoid scans and sorts where it can: it still
    /// sorts, or skips the index, when the query does not imply the index's filter.
    /// </summary>
    private static async Task<string> PlanAsync(PortalDbContext context, IQueryable<OutboxMessage> query, CancellationToken ct)
    {
        await context.Database.OpenConnectionAsync(ct);
        await using var transaction = await context.Database.BeginTransactionAsync(ct);
        if (!context.IsSqlite())
        {
            await context.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off;", ct);
        }

        await using var command = query.CreateDbCommand();
        command.Transaction = transaction.GetDbTransaction();
        return await QueryPlan.ExplainAsync(command, context.IsSqlite(), ct);
    }
}

[OnPostgreSQL]
public sealed class DueIndexOnPostgreSQLTests : DueIndexTests;
