using System.Collections.Concurrent;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Audit;

/// <summary>
/// Counts credential uses in memory and adds them to the daily counters in one write every few
/// seconds, so the delivery hot path pays a dictionary increment, not a database write. Counts
/// not yet written when the process dies are lost (at most one interval's worth); they are
/// statistics, the sends themselves are recorded by the outbox.
/// </summary>
public sealed class CredentialUseCounter(IServiceScopeFactory scopes, TimeProvider time, ILogger<CredentialUseCounter> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    private readonly record struct Key(Guid OrganizationId, Guid IntegrationId, DateOnly Day, CredentialPurpose Purpose);

    private ConcurrentDictionary<Key, long> _pending = new();

    public void Count(Guid organizationId, Guid integrationId, CredentialPurpose purpose, int uses = 1)
    {
        var day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        _pending.AddOrUpdate(new Key(organizationId, integrationId, day, purpose), uses, (_, count) => count + uses);
    }

    /// <summary>Adds the counted uses to the stored counters; the timer calls it, and so do tests.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<Key, long>());
        if (batch.IsEmpty)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        // Counters of every organization in one write: the platform identity may write any organization's rows.
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var counters = db.Set<CredentialUseCount>().IgnoreQueryFilters();
        foreach (var (key, uses) in batch)
        {
            var counter = await counters.SingleOrDefaultAsync(
                c => c.IntegrationId == key.IntegrationId && c.Day == key.Day && c.Purpose == key.Purpose, ct);
            if (counter is null)
            {
                db.Add(new CredentialUseCount
                {
                    OrganizationId = key.OrganizationId, IntegrationId = key.IntegrationId, Day = key.Day, Purpose = key.Purpose, Count = uses,
                });
            }
            else
            {
                counter.Count += uses;
            }
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushLoggingFailuresAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // What was counted since the last tick is written on the way out.
        await FlushLoggingFailuresAsync(cancellationToken);
    }

    private async Task FlushLoggingFailuresAsync(CancellationToken ct)
    {
        try
        {
            await FlushAsync(ct);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            logger.LogWarning(e, "Could not write the credential use counters; these uses are not counted.");
        }
    }
}

/// <summary>What the integration's trail shows of its credentials' use: per day and purpose.</summary>
public sealed record CredentialUseDay(DateOnly Day, CredentialPurpose Purpose, long Count);
