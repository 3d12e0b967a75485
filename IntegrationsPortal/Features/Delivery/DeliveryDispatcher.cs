using System.Diagnostics;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Delivers due outbox messages in batches: claims a batch (a lease, so a crash hands it back after
/// <see cref="DeliveryOptions.Lease"/>), sends it through the senders in parallel, then writes every
/// attempt and the messages' new state in one transaction. Works across organizations; each
/// integration's configuration is read as the system user of its organization.
/// </summary>
public sealed class DeliveryDispatcher(
    IServiceScopeFactory scopes,
    IEnumerable<IDeliverySender> senders,
    DeliveryOptions options,
    DeliveryEvents events,
    AdminAlerts alerts,
    DeliveryRandom random,
    TimeProvider time,
    ILogger<DeliveryDispatcher> logger)
{
    private static readonly string[] MessageState =
    [
        nameof(OutboxMessage.Status), nameof(OutboxMessage.AttemptCount), nameof(OutboxMessage.TotalAttempts),
        nameof(OutboxMessage.NextAttemptAt), nameof(OutboxMessage.DeliveredAt), nameof(OutboxMessage.LastError),
    ];

    private static readonly DeliveryStatus[] Waiting = [DeliveryStatus.Pending, DeliveryStatus.Delivering, DeliveryStatus.Failed];

    /// <summary>
    /// Delivers batches until nothing is due (or <paramref name="budget"/> runs out); returns how
    /// many messages were attempted. Pipelined: the next batch is claimed while this one is sent,
    /// and a batch's results are written while the next one is sent.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken ct, TimeSpan? budget = null)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)((budget ?? TimeSpan.FromMinutes(1)).TotalSeconds * Stopwatch.Frequency);
        var total = 0;
        var recording = Task.CompletedTask;
        var nextClaim = ClaimAsync(ct);
        try
        {
            while (true)
            {
                var batch = await nextClaim;
                if (batch.Count == 0)
                {
                    break;
                }

                var more = Stopwatch.GetTimestamp() < stopAt && !ct.IsCancellationRequested;
                nextClaim = more ? ClaimAsync(ct) : Task.FromResult(new List<OutboxMessage>());
                var configurations = await LoadConfigurationsAsync(batch, ct);
                var results = await SendAsync(batch, configurations, ct);
                await recording;
                recording = RecordAsync(results, configurations, ct);
                total += batch.Count;
            }
        }
        finally
        {
            await recording;
        }

        return total;
    }

    private async Task<(OutboxMessage Message, DeliveryOutcome Outcome, int DurationMs, DateTimeOffset At)[]> SendAsync(
        List<OutboxMessage> batch, Dictionary<Guid, ConfiguredIntegration?> configurations, CancellationToken ct)
    {
        var results = new (OutboxMessage Message, DeliveryOutcome Outcome, int DurationMs, DateTimeOffset At)[batch.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, batch.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct },
            async (i, token) =>
            {
                var message = batch[i];
                var at = time.GetUtcNow();
                var started = Stopwatch.GetTimestamp();
                var outcome = await AttemptAsync(message, configurations.GetValueOrDefault(message.IntegrationId), at, token);
                results[i] = (message, outcome, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds, at);
            });
        return results;
    }

    private async Task<List<OutboxMessage>> ClaimAsync(CancellationToken ct)
    {
        await using var scope = PlatformScope(out var db);
        await using var context = await db.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        // Read first without the write lock: an idle poll must not block the portal's writers.
        var batch = await context.Set<OutboxMessage>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]).AsNoTracking()
            .Where(m => Waiting.Contains(m.Status) && m.NextAttemptAt != null && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt)
            .Take(options.BatchSize)
            .ToListAsync(ct);
        if (batch.Count > 0)
        {
            // One dispatcher runs at a time (the job disallows concurrency), so what was read is still ours to claim.
            var ids = batch.Select(m => m.Id).ToList();
            var leaseEnd = now + options.Lease;
            await context.Set<OutboxMessage>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
                .Where(m => ids.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, DeliveryStatus.Delivering).SetProperty(m => m.NextAttemptAt, leaseEnd), ct);
        }

        return batch;
    }

    /// <summary>Each integration of the batch once, secrets opened; null where it is gone.</summary>
    private async Task<Dictionary<Guid, ConfiguredIntegration?>> LoadConfigurationsAsync(List<OutboxMessage> batch, CancellationToken ct)
    {
        var configurations = new Dictionary<Guid, ConfiguredIntegration?>();
        foreach (var group in batch.GroupBy(m => (m.OrganizationId, m.IntegrationId)))
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(group.Key.OrganizationId);
            try
            {
                configurations[group.Key.IntegrationId] = await scope.ServiceProvider.GetRequiredService<IntegrationService>()
                    .GetConfigurationAsync(group.Key.IntegrationId, ct);
            }
            catch (PortalException e) when (e.Kind == PortalErrorKind.NotFound)
            {
                configurations[group.Key.IntegrationId] = null;
            }
        }

        return configurations;
    }

    private async Task<DeliveryOutcome> AttemptAsync(OutboxMessage message, ConfiguredIntegration? integration, DateTimeOffset now, CancellationToken ct)
    {
        if (integration is null)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "integration", "The integration was deleted.");
        }

        if (message.Trigger == DeliveryTrigger.Automatic && integration.Status is IntegrationStatus.Inactive or IntegrationStatus.Error)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "integration",
                $"The integration is {IntegrationLifecycle.Label(integration.Status)}, so nothing was sent.");
        }

        var sender = senders.FirstOrDefault(s => s.Handles(integration.Type.Key));
        if (sender is null)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "integration", $"{integration.Type.DisplayName} integrations cannot deliver messages yet.");
        }

        try
        {
            return await sender.SendAsync(new ConfiguredIntegrationMessage(integration, message.Id, message.EventType, message.Payload, now), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A sender bug must not lose the message; the type name is safe, the message might not be.
            logger.LogError("Sender for {Type} threw {Exception} for message {MessageId}", integration.Type.Key, e.GetType().Name, message.Id);
            return DeliveryOutcome.Fail(FailureKind.Retry, "internal", $"The sender failed unexpectedly ({e.GetType().Name}).");
        }
    }

    private async Task RecordAsync(
        (OutboxMessage Message, DeliveryOutcome Outcome, int DurationMs, DateTimeOffset At)[] results,
        Dictionary<Guid, ConfiguredIntegration?> configurations, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var gone = new Dictionary<Guid, (Guid Organization, string Reason)>();
        var failing = new HashSet<(Guid Organization, Guid Integration)>();
        var attempts = new List<DeliveryAttempt>(results.Length);
        await using (var scope = PlatformScope(out var db))
        {
            foreach (var (message, outcome, duration, at) in results)
            {
                var automatic = message.Trigger == DeliveryTrigger.Automatic;
                message.TotalAttempts++;
                if (automatic)
                {
                    message.AttemptCount++;
                }

                DateTimeOffset? next = null;
                if (outcome.Succeeded)
                {
                    message.Status = DeliveryStatus.Delivered;
                    message.DeliveredAt = now;
                    message.LastError = null;
                }
                else
                {
                    message.LastError = Truncate(outcome.ErrorMessage ?? "Failed.", Limits.ErrorMessage);
                    var policy = configurations.GetValueOrDefault(message.IntegrationId) is { } integration ? RetryPolicy.For(integration) : RetryPolicy.None;
                    var delay = automatic && outcome.Failure is FailureKind.Retry or FailureKind.Throttled
                        ? policy.DelayAfter(message.AttemptCount, outcome, random)
                        : null;
                    next = now + delay;
                    // Tests and manual resends are single tries: they end as failed, not dead.
                    message.Status = delay is not null || !automatic ? DeliveryStatus.Failed : DeliveryStatus.Dead;
                    if (outcome.Failure == FailureKind.Gone && automatic)
                    {
                        gone[message.IntegrationId] = (message.OrganizationId, $"Deliveries stopped: the receiver answered 410 Gone for message {message.Id}.");
                    }
                    else if (automatic)
                    {
                        failing.Add((message.OrganizationId, message.IntegrationId));
                    }
                }

                message.NextAttemptAt = next;
                attempts.Add(new DeliveryAttempt
                {
                    Id = Guid.CreateVersion7(),
                    OrganizationId = message.OrganizationId,
                    MessageId = message.Id,
                    IntegrationId = message.IntegrationId,
                    AttemptNumber = message.TotalAttempts,
                    Trigger = message.Trigger,
                    At = at,
                    Succeeded = outcome.Succeeded,
                    Url = outcome.Url is { } url ? Truncate(url, 2000) : null,
                    Method = outcome.Method,
                    RequestHeaders = outcome.RequestHeaders,
                    RequestBody = outcome.RequestBody,
                    StatusCode = outcome.StatusCode,
                    ResponseHeaders = outcome.ResponseHeaders,
                    ResponseBody = outcome.ResponseBody,
                    DurationMs = duration,
                    ErrorClass = outcome.ErrorClass,
                    ErrorMessage = outcome.ErrorMessage is { } error ? Truncate(error, Limits.ErrorMessage) : null,
                    NextAttemptAt = next,
                });
            }

            // One transaction for the batch's attempts and message states, through prepared statements.
            await using var context = await db.CreateDbContextAsync(ct);
            await context.Database.OpenConnectionAsync(ct);
            await using var transaction = await context.Database.BeginTransactionAsync(ct);
            await PreparedRows.InsertAsync(context, attempts, ct);
            await PreparedRows.UpdateAsync(context, results.Select(r => r.Message).ToList(), MessageState, ct);
            await transaction.CommitAsync(ct);
        }

        foreach (var (integrationId, (organizationId, reason)) in gone)
        {
            await StopIntegrationAsync(organizationId, integrationId, LifecycleEvent.DeliveryGone, reason, ct);
        }

        foreach (var (organizationId, integrationId) in failing.Where(f => !gone.ContainsKey(f.Integration)))
        {
            if (await KeepsFailingAsync(integrationId, ct) is { } reason)
            {
                await StopIntegrationAsync(organizationId, integrationId, LifecycleEvent.DeliveryFailing, reason, ct);
            }
        }

        foreach (var (message, _, _, _) in results)
        {
            events.Publish(new DeliveryChange(message.Id, message.IntegrationId, message.Status));
        }
    }

    /// <summary>The reason to stop, when the last N automatic attempts all failed over at least the configured span.</summary>
    private async Task<string?> KeepsFailingAsync(Guid integrationId, CancellationToken ct)
    {
        await using var scope = PlatformScope(out var db);
        await using var context = await db.CreateDbContextAsync(ct);
        var recent = await context.Set<DeliveryAttempt>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(a => a.IntegrationId == integrationId && a.Trigger == DeliveryTrigger.Automatic)
            .OrderByDescending(a => a.At)
            .Take(options.FailureThreshold)
            .Select(a => new { a.At, a.Succeeded })
            .ToListAsync(ct);
        return recent.Count == options.FailureThreshold && recent.All(a => !a.Succeeded) && recent[0].At - recent[^1].At >= options.FailureSpan
            ? $"Deliveries stopped: the last {options.FailureThreshold} attempts failed over {(recent[0].At - recent[^1].At).TotalHours:0} h."
            : null;
    }

    /// <summary>Puts the integration in error and, the first time only, emails the Admins where the organization has an alerts channel.</summary>
    private async Task StopIntegrationAsync(Guid organizationId, Guid integrationId, LifecycleEvent happening, string reason, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
        if (await scope.ServiceProvider.GetRequiredService<IntegrationService>().RecordProblemAsync(integrationId, happening, reason, ct))
        {
            logger.LogWarning("Integration {IntegrationId} put in error: {Reason}", integrationId, reason);
            await alerts.DeliveriesStoppedAsync(organizationId, integrationId, reason, ct);
        }
    }

    private AsyncServiceScope PlatformScope(out IDbContextFactory<PortalDbContext> db)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        return scope;
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
