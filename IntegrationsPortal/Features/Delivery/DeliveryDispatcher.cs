using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Delivers due outbox messages: takes batches of due messages, sends them through the senders in
/// parallel, and writes each attempt and its message's new state as it ends. How a batch is taken is
/// <see cref="IDueMessages"/>: on SQLite a read after a cursor that writes nothing (one run at a time),
/// on PostgreSQL a claim with an expiring lease, so every node's dispatcher runs at once (045). A process
/// that dies mid-send leaves its messages due (or claimed until the lease ends), so they go again with
/// the same id. Works across organizations; each integration's configuration is read as the system
/// user of its organization.
/// </summary>
public sealed class DeliveryDispatcher(
    IServiceScopeFactory scopes,
    TypeCode<IDeliverySender> senders,
    TypeCode<IRecipientListHooks> recipientLists,
    DeliveryOptions options,
    FailureThreshold failureThreshold,
    DeliveryEvents events,
    AdminAlerts alerts,
    DeliveryRandom random,
    TimeProvider time,
    ILogger<DeliveryDispatcher> logger,
    DeliveryTelemetry telemetry,
    IEnumerable<IOutboxObserver> observers,
    IDueMessages dueMessages) : IDisposable
{
    /// <summary>What recording a result changes of its message (all an attempt or a hold may change).</summary>
    internal static readonly string[] MessageState =
    [
        nameof(OutboxMessage.Status), nameof(OutboxMessage.Trigger), nameof(OutboxMessage.AttemptCount), nameof(OutboxMessage.TotalAttempts),
        nameof(OutboxMessage.NextAttemptAt), nameof(OutboxMessage.DeliveredAt), nameof(OutboxMessage.LastError),
        nameof(OutboxMessage.ClaimedBy), nameof(OutboxMessage.ClaimedUntil),
    ];

    /// <summary>The integration type an attempt is counted under when its integration is gone.</summary>
    private const string DeletedIntegration = "deleted";

    // What a run has read but not yet recorded is known only to that run, so a process's runs take turns
    // (on SQLite that is the only dispatcher; on PostgreSQL other nodes' runs keep off its claims).
    private readonly SemaphoreSlim _oneRun = new(1, 1);

    // One redactor per loaded configuration (an integration once per batch of a run), not per attempt:
    // building one encodes every secret several ways. Weak, so it goes when the batch's configuration does.
    private readonly ConditionalWeakTable<ConfiguredIntegration, SecretRedactor> _redactors = new();

    private TaskCompletionSource _wakeUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Delivers until nothing is due (or <paramref name="budget"/> runs out); returns how many messages
    /// were attempted. Sends start as slots free (no waiting for a whole batch), each integration holds at
    /// most <see cref="DeliveryOptions.MaxInFlightPerIntegration"/> of them, organizations take turns, and
    /// each result is written as it finishes (with whatever else finished meanwhile), so a slow receiver
    /// delays only its own messages and a crash re-sends only what was in flight. Reads and writes go to
    /// the thread pool since SQLite's async calls run synchronously.
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

    /// <summary>Something was queued: a run waiting on a slow send looks for it at once instead of at its next poll.</summary>
    public void Wake() => Interlocked.Exchange(ref _wakeUp, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next <see cref="Wake"/>: a node's dispatch loop waits on it between runs.</summary>
    internal Task NextWake => Volatile.Read(ref _wakeUp).Task;

    private async Task<int> RunAsync(TimeSpan budget, CancellationToken ct)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        bool WithinBudget() => Stopwatch.GetTimestamp() < stopAt && !ct.IsCancellationRequested;
        var run = new DispatchRun(options);
        // Disposed after the recorder: a claim is released only once whatever the run sent is recorded.
        await using var taking = dueMessages.StartRun();
        await using var recorder = new ResultRecorder(RecordAsync, options.BatchSize);
        var finished = Channel.CreateUnbounded<Finished>();
        Task<bool>? sendEnded = null;
        var attempted = 0;
        var inFlight = 0;
        (DateTimeOffset, long)? cursor = null;
        var exhausted = false;
        Task<List<OutboxMessage>>? reading = Task.Run(() => taking.TakeAsync(null, [], ct), ct);
        Task? poll = null;
        try
        {
            while (!recorder.Failed)
            {
                ct.ThrowIfCancellationRequested();
                // No new send while a batch of results waits to be written: what a crash leaves unrecorded (and
                // sends again) stays within the sends in flight and one batch.
                var recorded = recorder.NextWrite;
                var recorderBehind = recorder.IsBehind(options.BatchSize);
                while (inFlight < options.Concurrency && !recorderBehind && WithinBudget() && run.NextToSend() is { } next)
                {
                    inFlight++;
                    _ = Task.Run(() => SendOneAsync(next, finished.Writer, ct), CancellationToken.None);
                }

                if (reading is null && exhausted && run.TakeRescan() && WithinBudget())
                {
                    // An ordered lane moved on (or a busy lane drained): messages the reads skipped may be due
                    // now, before the cursor. Look from the start once the results that moved them are written.
                    await recorder.FlushAsync();
                    cursor = null;
                    exhausted = false;
                }

                if (reading is null && !exhausted && run.WantsMore && WithinBudget())
                {
                    var after = cursor;
                    var busy = run.BusyIntegrations();
                    reading = Task.Run(() => taking.TakeAsync(after, busy, ct), ct);
                }

                if (reading is null && inFlight == 0 && (run.Queued == 0 || !WithinBudget()))
                {
                    // Out of budget, what waits here unsent is still due in the database for the next run.
                    break;
                }

                // Wait for a send to end, the read, or (nothing left to read) new messages being queued.
                sendEnded = sendEnded is null or { IsCompleted: true } ? finished.Reader.WaitToReadAsync(CancellationToken.None).AsTask() : sendEnded;
                var waits = new List<Task>(5) { sendEnded };
                if (recorderBehind)
                {
                    waits.Add(recorded);
                }

                var wakeUp = _wakeUp.Task;
                if (reading is not null)
                {
                    waits.Add(reading);
                }
                else if (exhausted && WithinBudget())
                {
                    poll ??= Task.Delay(options.PollInterval, CancellationToken.None);
                    waits.Add(poll);
                    waits.Add(wakeUp);
                }

                var woke = await Task.WhenAny(waits);
                if (woke == poll || woke == wakeUp)
                {
                    poll = null;
                    exhausted = false;
                }

                if (reading is { IsCompleted: true })
                {
                    var batch = await reading;
                    reading = null;
                    exhausted = batch.Count < options.BatchSize;
                    if (batch.Count > 0)
                    {
                        cursor = (batch[^1].NextAttemptAt!.Value, batch[^1].Sequence);
                        var taken = run.Take(batch);
                        var configurations = await LoadConfigurationsAsync(taken, ct);
                        foreach (var held in run.Queue(taken, configurations, time.GetUtcNow()))
                        {
                            recorder.Add(held);
                        }
                    }
                }

                while (finished.Reader.TryRead(out var done))
                {
                    inFlight--;
                    done.Error?.Throw();
                    attempted++;
                    foreach (var result in run.Finished(done.Result!.Value))
                    {
                        recorder.Add(result);
                    }
                }
            }
        }
        finally
        {
            // Sends still out (cancelled with the run) end before the run does; what finished is written,
            // so a restart re-sends only what was in flight.
            while (inFlight > 0 && await finished.Reader.WaitToReadAsync(CancellationToken.None))
            {
                while (finished.Reader.TryRead(out var done))
                {
                    inFlight--;
                    if (done.Result is { } result)
                    {
                        foreach (var recorded in run.Finished(result))
                        {
                            recorder.Add(recorded);
                        }
                    }
                }
            }

            if (reading is not null)
            {
                await reading.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        return attempted;
    }

    /// <summary>A send ended: its result, or what it threw (cancellation with the run).</summary>
    private readonly record struct Finished(Sent? Result, ExceptionDispatchInfo? Error);

    private async Task SendOneAsync(Queued next, ChannelWriter<Finished> finished, CancellationToken ct)
    {
        try
        {
            var (message, integration) = next;
            var at = time.GetUtcNow();
            var started = Stopwatch.GetTimestamp();
            var trigger = message.Trigger;
            DeliveryOutcome outcome;
            using (var activity = DeliveryTraces.AttemptStarted(message))
            {
                outcome = await AttemptAsync(message, integration, at, ct);
                DeliveryTraces.AttemptEnded(activity, outcome, integration?.Type.Key ?? DeletedIntegration);
            }

            var duration = Stopwatch.GetElapsedTime(started);
            telemetry.AttemptEnded(outcome, integration?.Type.Key ?? DeletedIntegration, duration);
            Apply(message, outcome, integration);
            finished.TryWrite(new Finished(new Sent(message, trigger, outcome, (int)duration.TotalMilliseconds, at), null));
        }
        catch (Exception e)
        {
            finished.TryWrite(new Finished(null, ExceptionDispatchInfo.Capture(e)));
        }
    }

    /// <summary>Each integration of the batch once, secrets opened; null where it is gone.</summary>
    private async Task<Dictionary<Guid, ConfiguredIntegration?>> LoadConfigurationsAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken ct)
    {
        var configurations = new Dictionary<Guid, ConfiguredIntegration?>();
        foreach (var group in batch.GroupBy(m => (m.OrganizationId, m.IntegrationId)))
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(group.Key.OrganizationId);
            try
            {
                var configuration = await scope.ServiceProvider.GetRequiredService<IntegrationSecrets>()
                    .GetConfigurationAsync(group.Key.IntegrationId, Audit.CredentialPurpose.Send, group.Count(), ct);
                if (recipientLists.For(configuration.Type.Key) is { } recipients)
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

        var sender = senders.For(integration.Type.Key);
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
            return outcome.RedactedBy(_redactors.GetValue(integration, SecretRedactor.For));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A sender bug must not lose the message; the type name is safe, the message might not be.
            logger.LogError("Sender for {Type} threw {Exception} for message {MessageId}", integration.Type.Key, e.GetType().Name, message.Id);
            return DeliveryOutcome.Fail(FailureKind.Retry, "internal", $"The sender failed unexpectedly ({e.GetType().Name}).");
        }
    }

    /// <summary>The message's new state after an attempt, under its integration's retry policy.</summary>
    private void Apply(OutboxMessage message, DeliveryOutcome outcome, ConfiguredIntegration? integration)
    {
        var policy = integration is null ? RetryPolicy.None : senders.For(integration.Type.Key)?.Retries(integration) ?? RetryPolicy.Default;
        message.RecordAttempt(outcome, policy, random, time.GetUtcNow());
    }

    private async Task RecordAsync(IReadOnlyList<Sent> results)
    {
        // Results of sends that have ended are written even while the run is being cancelled: the fewer
        // left unrecorded, the fewer a restart sends again.
        var ct = CancellationToken.None;
        var gone = new Dictionary<Guid, (Guid Organization, string Reason)>();
        var failing = new HashSet<(Guid Organization, Guid Integration)>();
        var attempts = new List<DeliveryAttempt>(results.Count);
        foreach (var (message, trigger, outcome, duration, at) in results)
        {
            // Recorded, so no longer anyone's (045); a hold too, so the lane's next holder may take it.
            message.ClaimedBy = null;
            message.ClaimedUntil = null;
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

        await using (var scope = scopes.PlatformScope(out var db))
        {
            // One transaction for the batch's attempts and message states, a group of rows per statement.
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

        var ended = results.Where(r => r.Outcome is not null && EndedMessage.HasEnded(r.Message)).Select(r => new EndedMessage(r.Message, r.Outcome!)).ToList();
        if (ended.Count > 0)
        {
            foreach (var observer in observers)
            {
                try
                {
                    await observer.MessagesEndedAsync(ended, ct);
                }
                catch (Exception e)
                {
                    // The results are written; an observer's failure must not stop the run.
                    logger.LogError("Outbox observer {Observer} failed: {Exception}", observer.GetType().Name, e.GetType().Name);
                }
            }
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
        Method = outcome.Method is { } method ? Limits.Shorten(method, Limits.AttemptMethod) : null,
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

    /// <summary>The reason to stop, when the integration's recent automatic attempts cross the <see cref="FailureThreshold"/>.</summary>
    private async Task<string?> KeepsFailingAsync(Guid integrationId, CancellationToken ct)
    {
        await using var scope = scopes.PlatformScope(out var db);
        await using var context = await db.CreateDbContextAsync(ct);
        var recent = await context.Set<DeliveryAttempt>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(a => a.IntegrationId == integrationId && a.Trigger == DeliveryTrigger.Automatic)
            .OrderByDescending(a => a.At)
            .Take(failureThreshold.Attempts)
            .Select(a => new RecentAttempt(a.At, a.Succeeded))
            .ToListAsync(ct);
        return failureThreshold.StopReason(recent);
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

    public void Dispose() => _oneRun.Dispose();
}
