using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore.Metadata;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// How a dispatcher run takes due messages: the one place where the providers differ in delivery
/// (docs/decisions/045). On SQLite (one process) a run reads after its cursor and writes nothing
/// (<see cref="ReadDueMessages"/>); on PostgreSQL several nodes dispatch at once, so a run claims what
/// it takes with an expiring lease (<see cref="ClaimedDueMessages"/>).
/// </summary>
public interface IDueMessages
{
    /// <summary>Starts one run's taking; dispose it once the run's results are all written.</summary>
    IDueMessagesRun StartRun();
}

/// <summary>What one dispatcher run takes due messages through.</summary>
public interface IDueMessagesRun : IAsyncDisposable
{
    /// <summary>
    /// Up to a batch of due messages, the longest due first, leaving out <paramref name="busy"/> integrations.
    /// <paramref name="cursor"/> is where the run's previous read ended (null: from the start).
    /// </summary>
    Task<List<OutboxMessage>> TakeAsync((DateTimeOffset NextAttemptAt, long Sequence)? cursor, Guid[] busy, CancellationToken ct);
}

/// <summary>The due-message query both ways of taking share.</summary>
internal static class DueMessageQuery
{
    public static readonly DeliveryStatus[] Waiting = [DeliveryStatus.Pending, DeliveryStatus.Failed, DeliveryStatus.Unknown];

    /// <summary>The partial index the due-message query reads in order (<see cref="OutboxMessageConfiguration"/>).</summary>
    public const string DueIndexName = "IX_OutboxMessage_Due";

    /// <summary>
    /// <see cref="Waiting"/> as EF Core writes it in the due query (the array is inlined as constants), and
    /// so as the partial index's filter must read for either engine to see that the query implies it.
    /// </summary>
    public static string WaitingFilterSql => $"\"{nameof(OutboxMessage.Status)}\" IN ({string.Join(", ", Waiting.Select(s => $"'{s}'"))})";

    /// <summary>The outbox across organizations (the dispatcher works for all of them).</summary>
    public static IQueryable<OutboxMessage> Outbox(PortalDbContext context) =>
        context.Set<OutboxMessage>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]);

    /// <summary>Messages due at <paramref name="now"/>, outside <paramref name="busy"/> integrations, unordered.</summary>
    public static IQueryable<OutboxMessage> Due(PortalDbContext context, DateTimeOffset now, Guid[] busy)
    {
        var outbox = Outbox(context);
        // A suspended organization's messages wait, untouched, until it is resumed.
        var suspended = context.SuspendedOrganizationIds();
        var due = outbox.AsNoTracking()
            .Where(m => Waiting.Contains(m.Status) && m.NextAttemptAt != null && m.NextAttemptAt <= now)
            .Where(m => !suspended.Contains(m.OrganizationId))
            // In an ordered lane a message waits while an earlier one waits longer (its retry is later),
            // so the earlier one always comes first and a batch cut off by its size never skips one.
            .Where(m => !m.InOrder || !outbox.Any(o => o.IntegrationId == m.IntegrationId && o.InOrder && o.Sequence < m.Sequence
                                                      && Waiting.Contains(o.Status) && o.NextAttemptAt > m.NextAttemptAt));
        if (busy.Length > 0)
        {
            // Integrations with a long queue in this run already: the read brings others' messages instead.
            due = due.Where(m => !busy.Contains(m.IntegrationId));
        }

        return due;
    }

    public static IQueryable<OutboxMessage> LongestDueFirst(this IQueryable<OutboxMessage> due, int batchSize) =>
        due.OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Sequence).Take(batchSize);

    /// <summary>A scope acting as the platform (no organization's filter) and its database.</summary>
    public static AsyncServiceScope PlatformScope(this IServiceScopeFactory scopes, out IDbContextFactory<PortalDbContext> db)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        return scope;
    }
}

/// <summary>
/// SQLite: one process, one run at a time, so taking writes nothing (decision 006). A run reads on
/// after its cursor; under WAL the read runs while the previous results are written, and an idle poll
/// never takes SQLite's one write lock.
/// </summary>
public sealed class ReadDueMessages(IServiceScopeFactory scopes, DeliveryOptions options, TimeProvider time) : IDueMessages, IDueMessagesRun
{
    public IDueMessagesRun StartRun() => this;

    public async Task<List<OutboxMessage>> TakeAsync((DateTimeOffset NextAttemptAt, long Sequence)? cursor, Guid[] busy, CancellationToken ct)
    {
        await using var scope = scopes.PlatformScope(out var db);
        await using var context = await db.CreateDbContextAsync(ct);
        return await Read(context, time.GetUtcNow(), cursor, busy, options.BatchSize).ToListAsync(ct);
    }

    /// <summary>The read: a batch of what is due after <paramref name="cursor"/>, in the order the due index keeps.</summary>
    internal static IQueryable<OutboxMessage> Read(
        PortalDbContext context, DateTimeOffset now, (DateTimeOffset NextAttemptAt, long Sequence)? cursor, Guid[] busy, int batchSize)
    {
        var due = DueMessageQuery.Due(context, now, busy);
        if (cursor is var (afterTime, afterSequence))
        {
            due = due.Where(m => m.NextAttemptAt > afterTime || (m.NextAttemptAt == afterTime && m.Sequence > afterSequence));
        }

        return due.LongestDueFirst(batchSize);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// PostgreSQL: several nodes dispatch from one outbox, so a run claims what it takes: <c>ClaimedBy</c>
/// (the run's own id) and <c>ClaimedUntil</c> (a lease of <see cref="DeliveryOptions.ClaimLease"/>, renewed
/// while the run lives). Another run never takes a message under a live claim; recording a result clears
/// it; the run's end releases what it took but did not send. A node that dies leaves its leases to expire,
/// after which another node sends those messages again with the same id. Claims are taken one at a time
/// across nodes (a transaction-scoped advisory lock), so a claim sees every earlier one committed: that
/// keeps an ordered lane on one node at a time. No cursor: what is claimed is already left out.
/// </summary>
public sealed class ClaimedDueMessages(IServiceScopeFactory scopes, DeliveryOptions options, TimeProvider time, ILogger<ClaimedDueMessages> logger)
    : IDueMessages
{
    private readonly IServiceScopeFactory _scopes = scopes;
    private readonly DeliveryOptions _options = options;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;

    /// <summary>The advisory lock key the portal's claims queue on (any number no one else uses: "outbox" in ASCII).</summary>
    private const long ClaimLock = 0x6F7574626F78;

    public IDueMessagesRun StartRun() => new Run(this, Guid.CreateVersion7());

    private sealed class Run : IDueMessagesRun
    {
        private readonly ClaimedDueMessages _source;
        private readonly Guid _id;
        private readonly CancellationTokenSource _ending = new();
        private readonly Task _renewing;

        public Run(ClaimedDueMessages source, Guid id)
        {
            _source = source;
            _id = id;
            _renewing = Task.Run(RenewAsync);
        }

        public async Task<List<OutboxMessage>> TakeAsync((DateTimeOffset NextAttemptAt, long Sequence)? cursor, Guid[] busy, CancellationToken ct)
        {
            var (options, time) = (_source._options, _source._time);
            await using var scope = _source._scopes.PlatformScope(out var db);
            await using var context = await db.CreateDbContextAsync(ct);
            await using var transaction = await context.Database.BeginTransactionAsync(ct);
            await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ClaimLock})", ct);
            var now = time.GetUtcNow();
            var id = _id;
            var outbox = DueMessageQuery.Outbox(context);
            var waiting = DueMessageQuery.Waiting;
            var batch = await DueMessageQuery.Due(context, now, busy)
                .Where(m => m.ClaimedUntil == null || m.ClaimedUntil <= now)
                // An ordered lane stays with the run that holds its earlier messages until they are recorded.
                .Where(m => !m.InOrder || !outbox.Any(o => o.IntegrationId == m.IntegrationId && o.InOrder && o.Sequence < m.Sequence
                                                          && waiting.Contains(o.Status) && o.ClaimedUntil > now && o.ClaimedBy != id))
                .LongestDueFirst(options.BatchSize)
                .ToListAsync(ct);
            if (batch.Count > 0)
            {
                var ids = batch.Select(m => m.Id).ToList();
                var until = now + options.ClaimLease;
                await outbox.Where(m => ids.Contains(m.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, id).SetProperty(m => m.ClaimedUntil, until), ct);
            }

            await transaction.CommitAsync(ct);
            return batch;
        }

        /// <summary>Extends the run's leases every third of a lease, so sends that wait long in the run keep theirs.</summary>
        private async Task RenewAsync()
        {
            var (options, time) = (_source._options, _source._time);
            while (!_ending.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.ClaimLease / 3, time, _ending.Token);
                    await ExtendClaimsAsync(time.GetUtcNow() + options.ClaimLease, _ending.Token);
                }
                catch (OperationCanceledException) when (_ending.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // The next renewal tries again; a lease that runs out only lets another node send it too.
                    _source._logger.LogWarning("Renewing delivery claims failed: {Exception}", e.GetType().Name);
                }
            }
        }

        /// <summary>
        /// Moves the lease of the run's claims on to <paramref name="until"/>, skipping rows another transaction
        /// holds: those are the run's result writes, which clear the claim anyway. Waiting for them instead
        /// deadlocked with a write waiting for rows this statement had locked (one UPDATE locks in scan order,
        /// a write in the order its sends ended); PostgreSQL then aborted one of the two.
        /// </summary>
        private async Task ExtendClaimsAsync(DateTimeOffset until, CancellationToken ct)
        {
            await using var scope = _source._scopes.PlatformScope(out var db);
            await using var context = await db.CreateDbContextAsync(ct);
            var outbox = context.Model.FindEntityType(typeof(OutboxMessage))!;
            var table = StoreObjectIdentifier.Table(outbox.GetTableName()!, outbox.GetSchema());
            string Column(string property) => outbox.FindProperty(property)!.GetColumnName(table)!;
            var claimedUntil = outbox.FindProperty(nameof(OutboxMessage.ClaimedUntil))!.GetTypeMapping().Converter!.ConvertToProvider(until)!;
#pragma warning disable EF1002 // the identifiers come from the model, the values are parameters
            await context.Database.ExecuteSqlRawAsync(
                $$"""
                  UPDATE "{{table.Name}}" SET "{{Column(nameof(OutboxMessage.ClaimedUntil))}}" = {0}
                  WHERE "{{Column(nameof(OutboxMessage.Id))}}" IN (
                      SELECT "{{Column(nameof(OutboxMessage.Id))}}" FROM "{{table.Name}}"
                      WHERE "{{Column(nameof(OutboxMessage.ClaimedBy))}}" = {1} FOR UPDATE SKIP LOCKED)
                  """, [claimedUntil, _id], ct);
#pragma warning restore EF1002
        }

        private async Task UpdateClaimsAsync(
            Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<OutboxMessage>> set, CancellationToken ct)
        {
            await using var scope = _source._scopes.PlatformScope(out var db);
            await using var context = await db.CreateDbContextAsync(ct);
            var id = _id;
            await DueMessageQuery.Outbox(context).Where(m => m.ClaimedBy == id).ExecuteUpdateAsync(set, ct);
        }

        /// <summary>Releases what the run claimed and did not record (queued, never sent), for any node to take.</summary>
        public async ValueTask DisposeAsync()
        {
            await _ending.CancelAsync();
            await _renewing;
            _ending.Dispose();
            try
            {
                await UpdateClaimsAsync(s => s.SetProperty(m => m.ClaimedBy, (Guid?)null).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null),
                    CancellationToken.None);
            }
            catch (Exception e)
            {
                // Their leases run out instead.
                _source._logger.LogWarning("Releasing delivery claims failed: {Exception}", e.GetType().Name);
            }
        }
    }
}
