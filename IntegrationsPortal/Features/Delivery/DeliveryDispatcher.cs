using System.Diagnostics;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Delivers due outbox messages in batches: reads a batch of due messages, sends it through the
/// senders in parallel, then writes every attempt and the messages' new state in one transaction.
/// Taking a batch writes nothing: one run at a time reads on past what it has taken (a cursor), and
/// a process that dies mid-send leaves its messages due, so after the restart they go again with the
/// same id. Works across organizations; each integration's configuration is read as the system user
/// of its organization.
/// </summary>
public sealed class DeliveryDispatcher(
    IServiceScopeFactory scopes,
    IntegrationTypeRegistry types,
    DeliveryOptions options,
    DeliveryEvents events,
    AdminAlerts alerts,
    DeliveryRandom random,
    TimeProvider time,
    ILogger<DeliveryDispatcher> logger) : IDisposable
{
    private static readonly string[] MessageState =
    [
        nameof(OutboxMessage.Status), nameof(OutboxMessage.Trigger), nameof(OutboxMessage.AttemptCount), nameof(OutboxMessage.TotalAttempts),
        nameof(OutboxMessage.NextAttemptAt), nameof(OutboxMessage.DeliveredAt), nameof(OutboxMessage.LastError),
    ];

    /// <summary>Delivering is no longer written; rows an older version left in it are due like pending ones.</summary>
    private static readonly DeliveryStatus[] Waiting = [DeliveryStatus.Pending, DeliveryStatus.Delivering, DeliveryStatus.Failed, DeliveryStatus.Unknown];

    // What a run has read but not yet recorded is known only to that run, so runs take turns
    // (and Quartz keeps the job to one node at a time).
    private readonly SemaphoreSlim _oneRun = new(1, 1);

    /// <summary>
    /// Delivers batches until nothing is due (or <paramref name="budget"/> runs out); returns how many
    /// messages were attempted. Pipelined: the next batch is read while this one is sent, and a batch's
    /// results are written while the next one is sent. Reads and the one writer overlap because the
    /// database is in WAL mode; both go to the thread pool since SQLite's async calls run synchronously.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken ct, TimeSpan? budget = null)
    {
        await _oneRun.WaitAsync(ct);
        try
        {
            return await RunAsync(budget ?? TimeSpan.FromMinutes(1), ct);
        }
        finally
        {
            _oneRun.Release();
        }
    }

    private async Task<int> RunAsync(TimeSpan budget, CancellationToken ct)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        bool WithinBudget() => Stopwatch.GetTimestamp() < stopAt && !ct.IsCancellationRequested;
        var run = new Run();
        var total = 0;
        var recording = Task.CompletedTask;
        var nextRead = Task.Run(() => ReadDueAsync(null, ct), ct);
        try
        {
            while (true)
            {
                var batch = await nextRead;
                if (batch.Count == 0 && run.TakeLaneMoved() && WithinBudget())
                {
                    // An ordered lane's later messages wait while earlier ones are unrecorded; once those
                    // are written, look again from the start.
                    await recording;
                    batch = await Task.Run(() => ReadDueAsync(null, ct), ct);
                }

                if (batch.Count == 0)
                {
                    break;
                }

                var cursor = (batch[^1].NextAttemptAt!.Value, batch[^1].Sequence);
                nextRead = WithinBudget()
                    ? Task.Run(() => ReadDueAsync(cursor, ct), ct)
                    : Task.FromResult(new List<OutboxMessage>());
                var configurations = await LoadConfigurationsAsync(batch, ct);
                var results = await SendAsync(batch, configurations, run, ct);
                await recording;
                recording = Task.Run(() => RecordAsync(results, ct), ct);
                total += results.Count(r => r.Outcome is not null);
            }
        }
        finally
        {
            await recording;
        }

        return total;
    }

    /// <summary>The ordered lanes of a run: which a failure has stopped, and whether any moved on.</summary>
    private sealed class Run
    {
        private readonly Dictionary<Guid, DateTimeOffset> _stoppedLanes = [];
        private int _laneMoved;

        /// <summary>An ordered message was attempted and is out of the way (delivered or given up).</summary>
        public void LaneMoved() => Volatile.Write(ref _laneMoved, 1);

        public bool TakeLaneMoved() => Interlocked.Exchange(ref _laneMoved, 0) == 1;

        /// <summary>Stops the integration's lane for the run; its held messages are due again with the failed one.</summary>
        public void Stop(Guid integrationId, DateTimeOffset retryAt)
        {
            lock (_stoppedLanes)
            {
                _stoppedLanes[integrationId] = retryAt;
            }
        }

        public bool IsStopped(Guid integrationId, out DateTimeOffset retryAt)
        {
            lock (_stoppedLanes)
            {
                return _stoppedLanes.TryGetValue(integrationId, out retryAt);
            }
        }
    }

    /// <summary>What became of one message of a batch; no outcome when it was held back behind a failure in its lane.</summary>
    private readonly record struct Sent(OutboxMessage Message, DeliveryTrigger Trigger, DeliveryOutcome? Outcome, int DurationMs, DateTimeOffset At);

    /// <summary>
    /// Sends the batch, lanes in parallel: a message of an in-order integration shares a lane with the
    /// others of that integration and is sent after them; any other message is a lane of its own.
    /// Each message's new state is worked out as its attempt ends, so a failure stops its lane at once.
    /// </summary>
    private async Task<Sent[]> SendAsync(List<OutboxMessage> batch, Dictionary<Guid, ConfiguredIntegration?> configurations, Run run, CancellationToken ct)
    {
        var results = new Sent[batch.Count];
        var lanes = Enumerable.Range(0, batch.Count)
            .GroupBy(i => batch[i].InOrder ? batch[i].IntegrationId : batch[i].Id)
            .Select(lane => lane.OrderBy(i => batch[i].Sequence).ToArray());
        await Parallel.ForEachAsync(lanes,
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct },
            async (lane, token) =>
            {
                foreach (var i in lane)
                {
                    var message = batch[i];
                    var at = time.GetUtcNow();
                    if (message.InOrder && run.IsStopped(message.IntegrationId, out var retryAt))
                    {
                        // Not attempted, so no history row: it waits (Pending or Failed, as it was) and is due
                        // together with the message holding it back, which the lane's order puts first.
                        message.NextAttemptAt = retryAt;
                        message.LastError = "Waiting for an earlier message to this destination to be delivered first.";
                        results[i] = new Sent(message, message.Trigger, null, 0, at);
                        continue;
                    }

                    var started = Stopwatch.GetTimestamp();
                    var trigger = message.Trigger;
                    var integration = configurations.GetValueOrDefault(message.IntegrationId);
                    var outcome = await AttemptAsync(message, integration, at, token);
                    Apply(message, outcome, integration);
                    results[i] = new Sent(message, trigger, outcome, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds, at);
                    if (message.InOrder && message.NextAttemptAt is { } retry)
                    {
                        run.Stop(message.IntegrationId, retry);
                    }
                    else if (message.InOrder)
                    {
                        run.LaneMoved();
                    }
                }
            });
        return results;
    }

    /// <summary>
    /// Due messages after <paramref name="cursor"/>, the longest due first. Only reads: under WAL it runs
    /// while the previous batch is written, and an idle poll never takes the write lock.
    /// </summary>
    private async Task<List<OutboxMessage>> ReadDueAsync((DateTimeOffset NextAttemptAt, long Sequence)? cursor, CancellationToken ct)
    {
        await using var scope = PlatformScope(out var db);
        await using var context = await db.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        var outbox = context.Set<OutboxMessage>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]);
        var due = outbox.AsNoTracking()
            .Where(m => Waiting.Contains(m.Status) && m.NextAttemptAt != null && m.NextAttemptAt <= now)
            // In an ordered lane a message waits while an earlier one waits longer (its retry is later),
            // so the earlier one always comes first and a batch cut off by its size never skips one.
            .Where(m => !m.InOrder || !outbox.Any(o => o.IntegrationId == m.IntegrationId && o.InOrder && o.Sequence < m.Sequence
                                                      && Waiting.Contains(o.Status) && o.NextAttemptAt > m.NextAttemptAt));
        if (cursor is var (afterTime, afterSequence))
        {
            due = due.Where(m => m.NextAttemptAt > afterTime || (m.NextAttemptAt == afterTime && m.Sequence > afterSequence));
        }

        return await due.OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Sequence).Take(options.BatchSize).ToListAsync(ct);
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
                var configuration = await scope.ServiceProvider.GetRequiredService<IntegrationSecrets>()
                    .GetConfigurationAsync(group.Key.IntegrationId, ct);
                if (types.RecipientList(configuration.Type.Key) is { } recipients)
                {
                    // Once per integration and batch, so the sender never asks the database per message.
                    await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
                    configuration = configuration with { VerifiedRecipients = await recipients.VerifiedAsync(db, configuration.Id, ct) };
                }

                configurations[group.Key.IntegrationId] = configuration;
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

        var sender = types.Sender(integration.Type.Key);
        if (sender is null)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "integration", $"{integration.Type.DisplayName} integrations cannot deliver messages yet.");
        }

        try
        {
            var outcome = await sender.SendAsync(
                new ConfiguredIntegrationMessage(integration, message.Id, message.EventType, message.Payload, now)
                {
                    Parameters = message.Parameters,
                    MayBeDuplicate = message.Status == DeliveryStatus.Unknown,
                }, ct);
            // Whatever a sender captured, the history never keeps a secret (a receiver may echo the request back).
            return outcome.RedactedBy(SecretRedactor.For(integration));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A sender bug must not lose the message; the type name is safe, the message might not be.
            logger.LogError("Sender for {Type} threw {Exception} for message {MessageId}", integration.Type.Key, e.GetType().Name, message.Id);
            return DeliveryOutcome.Fail(FailureKind.Retry, "internal", $"The sender failed unexpectedly ({e.GetType().Name}).");
        }
    }

    /// <summary>The message's new state after an attempt: delivered, due again later, or finished as failed or dead.</summary>
    private void Apply(OutboxMessage message, DeliveryOutcome outcome, ConfiguredIntegration? integration)
    {
        var now = time.GetUtcNow();
        var automatic = message.Trigger == DeliveryTrigger.Automatic;
        message.TotalAttempts++;
        if (automatic)
        {
            message.AttemptCount++;
        }

        if (outcome.Succeeded)
        {
            message.Status = DeliveryStatus.Delivered;
            message.DeliveredAt = now;
            message.LastError = null;
            message.NextAttemptAt = null;
            return;
        }

        message.LastError = Limits.Shorten(outcome.ErrorMessage ?? "Failed.");
        var policy = integration is null ? RetryPolicy.None : types.Sender(integration.Type.Key)?.Retries(integration) ?? RetryPolicy.Default;
        // A failed manual resend of a message whose automatic retries were not used up goes back on
        // its schedule, waiting again the delay of the step it was at (the resend counts for nothing).
        var resumes = message.Trigger == DeliveryTrigger.ManualResend && message.AttemptCount > 0;
        var delay = (automatic || resumes) && outcome.Failure is FailureKind.Retry or FailureKind.Throttled
            ? policy.DelayAfter(message.AttemptCount, outcome, random)
            : null;
        message.NextAttemptAt = now + delay;
        if (resumes && delay is not null)
        {
            message.Trigger = DeliveryTrigger.Automatic;
        }

        // Tests and manual resends are single tries: they end as failed, not dead. A send whose outcome is
        // unknown is not called failed while it may still be retried: the receiver may well have it.
        message.Status = delay is not null || !automatic
            ? outcome.OutcomeUnknown ? DeliveryStatus.Unknown : DeliveryStatus.Failed
            : DeliveryStatus.Dead;
    }

    private async Task RecordAsync(Sent[] results, CancellationToken ct)
    {
        var gone = new Dictionary<Guid, (Guid Organization, string Reason)>();
        var failing = new HashSet<(Guid Organization, Guid Integration)>();
        var attempts = new List<DeliveryAttempt>(results.Length);
        foreach (var (message, trigger, outcome, duration, at) in results)
        {
            if (outcome is null)
            {
                continue;
            }

            attempts.Add(Attempt(message, trigger, outcome, duration, at));
            if (outcome.Succeeded || trigger != DeliveryTrigger.Automatic)
            {
                continue;
            }

            if (outcome.Failure == FailureKind.Gone)
            {
                // The sender's words say why ("answered 410 Gone", "the webhook no longer exists").
                gone[message.IntegrationId] = (message.OrganizationId,
                    $"{DeliveryService.StoppedPrefix}: {outcome.ErrorMessage?.TrimEnd('.') ?? "the receiver is gone"} (message {message.Id}).");
            }
            else
            {
                failing.Add((message.OrganizationId, message.IntegrationId));
            }
        }

        await using (var scope = PlatformScope(out var db))
        {
            // One transaction for the batch's attempts and message states, through prepared statements.
            await using var context = await db.CreateDbContextAsync(ct);
            await context.Database.OpenConnectionAsync(ct);
            await using var relaxed = await RelaxedDurability.StartAsync(context.Database.GetDbConnection(), ct);
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

        foreach (var (message, _, _, _, _) in results)
        {
            events.Publish(new DeliveryChange(message.Id, message.IntegrationId, message.Status));
        }
    }

    private static DeliveryAttempt Attempt(OutboxMessage message, DeliveryTrigger trigger, DeliveryOutcome outcome, int durationMs, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(),
        OrganizationId = message.OrganizationId,
        MessageId = message.Id,
        IntegrationId = message.IntegrationId,
        AttemptNumber = message.TotalAttempts,
        Trigger = trigger,
        At = at,
        Succeeded = outcome.Succeeded,
        Url = outcome.Url is { } url ? Limits.Shorten(url, 2000) : null,
        Method = outcome.Method,
        RequestHeaders = outcome.RequestHeaders,
        RequestBody = outcome.RequestBody,
        StatusCode = outcome.StatusCode,
        ResponseHeaders = outcome.ResponseHeaders,
        ResponseBody = outcome.ResponseBody,
        DurationMs = durationMs,
        ErrorClass = outcome.ErrorClass,
        ErrorMessage = outcome.ErrorMessage is { } error ? Limits.Shorten(error) : null,
        Note = outcome.Note is { Length: > 0 } note ? Limits.Shorten(note) : null,
        NextAttemptAt = message.NextAttemptAt,
    };

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
            ? $"{DeliveryService.StoppedPrefix}: the last {options.FailureThreshold} attempts failed over {(recent[0].At - recent[^1].At).TotalHours:0} h."
            : null;
    }

    /// <summary>Puts the integration in error and, the first time only, emails the Admins where the organization has an alerts channel.</summary>
    private async Task StopIntegrationAsync(Guid organizationId, Guid integrationId, LifecycleEvent happening, string reason, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
        if (await scope.ServiceProvider.GetRequiredService<IntegrationStatusRecorder>().RecordProblemAsync(integrationId, happening, reason, ct))
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

    public void Dispose() => _oneRun.Dispose();
}
