using System.Text.Json;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery.Invitations;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Putting messages in the outbox (automatic, Test send, resend, recovery) and reading the delivery
/// history. Sending happens in <see cref="DeliveryDispatcher"/>, always after the message is saved.
/// </summary>
public sealed class DeliveryService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    TypeCode<IDeliverySender> senders,
    DeliveryScheduler scheduler,
    DeliveryEvents events,
    DeliveryOptions options,
    TimeProvider time)
{
    public const int MaxPayloadLength = 256 * 1024;

    /// <summary>Queues messages for automatic delivery with retries (what flows and alerts call).</summary>
    public async Task<IReadOnlyList<Guid>> EnqueueAsync(Guid integrationId, string eventType, IReadOnlyList<string> payloads, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "send messages");
        if (eventType.Trim().StartsWith(AdminAlerts.ReservedPrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw PortalException.Invalid("eventType", $"Event types starting with '{AdminAlerts.ReservedPrefix}' are reserved for the portal's own alerts.");
        }

        var ids = await WriteAsync(integrationId, eventType, payloads, DeliveryTrigger.Automatic, ct);
        await scheduler.NudgeAsync(ct);
        return ids;
    }

    /// <summary>
    /// Queues messages for automatic delivery, each under its idempotency key, all in one transaction
    /// (what flows call, many at a time). A key already in the outbox queues nothing again: a producer
    /// that redoes work after a crash gets the first message's id back. Returns the ids in order.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> EnqueueOnceAsync(IReadOnlyList<KeyedMessage> messages, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "send messages");
        if (messages.Count == 0)
        {
            return [];
        }

        var organizationId = currentUser.RequireOrganization();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integrationIds = messages.Select(m => m.IntegrationId).Distinct().ToList();
        var integrations = await db.Set<Integration>().AsNoTracking().Where(i => integrationIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var types = integrationIds.ToDictionary(id => id, id => SendingType(integrations.GetValueOrDefault(id), DeliveryTrigger.Automatic));
        var now = time.GetUtcNow();
        var rows = new List<OutboxMessage>(messages.Count);
        foreach (var message in messages)
        {
            ValidatePayload(message.Payload);
            if (string.IsNullOrWhiteSpace(message.IdempotencyKey) || message.IdempotencyKey.Length > 200
                || message.EventType.Trim().StartsWith(AdminAlerts.ReservedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                throw PortalException.Invalid("idempotencyKey", "Each message needs an idempotency key of up to 200 characters and an event type that is not reserved.");
            }

            rows.Add(new OutboxMessage
            {
                Id = Guid.CreateVersion7(now),
                OrganizationId = organizationId,
                IntegrationId = message.IntegrationId,
                EventType = string.IsNullOrWhiteSpace(message.EventType) ? "message" : message.EventType.Trim(),
                Payload = message.Payload,
                Trigger = DeliveryTrigger.Automatic,
                Status = DeliveryStatus.Pending,
                Sequence = NextSequence(now),
                InOrder = types[message.IntegrationId].DeliversInOrder,
                NextAttemptAt = now,
                CreatedAt = now,
                IdempotencyKey = message.IdempotencyKey,
                Parameters = message.Parameters is null ? [] : new Dictionary<string, string>(message.Parameters),
            });
        }

        await db.Database.OpenConnectionAsync(ct);
        bool[] inserted;
        await using (await RelaxedDurability.StartAsync(db.Database.GetDbConnection(), ct))
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            inserted = await PreparedRows.InsertNewAsync(db, rows, ct);
            await transaction.CommitAsync(ct);
        }

        var repeated = rows.Where((_, i) => !inserted[i]).Select(r => r.IdempotencyKey!).ToList();
        var existing = repeated.Count == 0
            ? []
            : await db.Set<OutboxMessage>().AsNoTracking().Where(m => repeated.Contains(m.IdempotencyKey!))
                .ToDictionaryAsync(m => m.IdempotencyKey!, m => m.Id, ct);
        if (repeated.Count < rows.Count)
        {
            await scheduler.NudgeAsync(ct);
        }

        var ids = new List<Guid>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            if (inserted[i])
            {
                DeliveryTraces.Enqueued(rows[i]);
                events.Publish(new DeliveryChange(rows[i].Id, rows[i].IntegrationId, DeliveryStatus.Pending));
                ids.Add(rows[i].Id);
            }
            else
            {
                // Another organization cannot hold our key: keys are made from our own run ids.
                ids.Add(existing.TryGetValue(rows[i].IdempotencyKey!, out var id) ? id
                    : throw new InvalidOperationException($"Idempotency key {rows[i].IdempotencyKey} is taken by a message this organization cannot see."));
            }
        }

        return ids;
    }

    /// <summary>
    /// For the portal's own messages only (<see cref="AdminAlerts"/>, invitations): the reserved event
    /// types, the only ones whose payload may name its recipients.
    /// </summary>
    internal async Task<Guid> EnqueuePortalMessageAsync(Guid integrationId, string eventType, string payload, CancellationToken ct)
    {
        currentUser.Demand(PortalPermission.Administer, "send portal alerts");
        if (!eventType.StartsWith(AdminAlerts.ReservedPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException("Not one of the portal's own event types.", nameof(eventType));
        }

        var ids = await WriteAsync(integrationId, eventType, [payload], DeliveryTrigger.Automatic, ct);
        await scheduler.NudgeAsync(ct);
        return ids[0];
    }

    /// <summary>
    /// Test send: accepted at once; the same dispatcher and sender deliver it, once, without retries.
    /// With an <paramref name="idempotencyKey"/> (the API's <c>Idempotency-Key</c> header), the same key
    /// for the same integration within <see cref="DeliveryOptions.IdempotencyWindow"/> returns the first
    /// message and queues nothing, so a client retrying after a lost answer does not send twice.
    /// </summary>
    public async Task<AcceptedDelivery> SendTestAsync(Guid integrationId, string payload, string? idempotencyKey = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "send test messages");
        var key = idempotencyKey is null ? null : StoredIdempotencyKey("test", integrationId, idempotencyKey);
        if (key is not null && await ExistingWithinWindowAsync(key, ct) is { } earlier)
        {
            return new AcceptedDelivery(earlier);
        }

        List<Guid> ids;
        try
        {
            ids = await WriteAsync(integrationId, "test", [payload], DeliveryTrigger.TestSend, ct, key);
        }
        catch (DbUpdateException) when (key is not null)
        {
            // The same key sent twice at once: the unique index let one in.
            return new AcceptedDelivery(await ExistingWithinWindowAsync(key, ct) ?? throw PortalException.Conflict("A request with this Idempotency-Key is being handled; try again."));
        }

        await scheduler.NudgeAsync(ct);
        return new AcceptedDelivery(ids[0]);
    }

    /// <summary>
    /// The outbox key for a client's idempotency key: hashed (any length and characters up to the limit fit the
    /// column) and scoped to the operation and integration, so it never meets a flow's keys or another integration's.
    /// </summary>
    private static string StoredIdempotencyKey(string operation, Guid integrationId, string clientKey)
    {
        if (clientKey.Length is 0 or > 255 || clientKey.Any(c => c < ' ' || c > '~'))
        {
            throw PortalException.Invalid("Idempotency-Key", "The Idempotency-Key header must be 1 to 255 printable ASCII characters.");
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clientKey)));
        return $"api-{operation}:{integrationId:N}:{hash}";
    }

    /// <summary>The message queued under <paramref name="key"/> within the window; a key older than that is let go for reuse.</summary>
    private async Task<Guid?> ExistingWithinWindowAsync(string key, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.IdempotencyKey == key)
            .Select(m => new { m.Id, m.CreatedAt }).SingleOrDefaultAsync(ct);
        if (existing is null)
        {
            return null;
        }

        if (existing.CreatedAt >= time.GetUtcNow() - options.IdempotencyWindow)
        {
            return existing.Id;
        }

        await db.Set<OutboxMessage>().Where(m => m.Id == existing.Id).ExecuteUpdateAsync(u => u.SetProperty(m => m.IdempotencyKey, (string?)null), ct);
        return null;
    }

    /// <summary>Sends one message again now; a manual resend does not use up the automatic retry budget.</summary>
    public async Task ResendAsync(Guid messageId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "resend messages");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var message = await db.Set<OutboxMessage>().SingleOrDefaultAsync(m => m.Id == messageId, ct)
            ?? throw PortalException.NotFound("The message");
        if (message.Status is DeliveryStatus.Pending)
        {
            throw PortalException.Conflict("The message is being delivered right now.");
        }

        Requeue(message);
        await db.SaveChangesAsync(ct);
        await scheduler.NudgeAsync(ct);
        events.Publish(new DeliveryChange(message.Id, message.IntegrationId, message.Status));
    }

    /// <summary>
    /// Brings a message's next automatic attempt forward to now. Only for one waiting for a retry: the
    /// attempt counts as the scheduled one, so the retry budget is the same as if it had waited.
    /// </summary>
    public async Task RetryNowAsync(Guid messageId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "retry messages");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var message = await db.Set<OutboxMessage>().SingleOrDefaultAsync(m => m.Id == messageId, ct)
            ?? throw PortalException.NotFound("The message");
        if (message.Status is not (DeliveryStatus.Failed or DeliveryStatus.Unknown) || message.NextAttemptAt is null)
        {
            throw PortalException.Conflict("Only a message waiting for its next attempt can be retried now; use Resend for one that is finished.");
        }

        message.NextAttemptAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await scheduler.NudgeAsync(ct);
        events.Publish(new DeliveryChange(message.Id, message.IntegrationId, message.Status));
    }

    /// <summary>"Recover failed since...": resends every failed or dead message created since then; returns how many.</summary>
    public async Task<int> RecoverFailedAsync(DateTimeOffset since, Guid? integrationId = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "resend messages");
        if (since > time.GetUtcNow())
        {
            throw PortalException.Invalid("since", "Pick a time in the past.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var failed = await db.Set<OutboxMessage>()
            .Where(m => (m.Status == DeliveryStatus.Dead || (m.Status == DeliveryStatus.Failed && m.NextAttemptAt == null)) && m.CreatedAt >= since)
            .Where(m => integrationId == null || m.IntegrationId == integrationId)
            .Take(10_000)
            .ToListAsync(ct);
        failed.ForEach(Requeue);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "delivery.recovered", $"Resent {failed.Count} failed message(s) created since {since:u}."));
        await db.SaveChangesAsync(ct);
        await scheduler.NudgeAsync(ct);
        return failed.Count;
    }

    public async Task<PagedResult<DeliveryRow>> ListAsync(DeliveryQuery query, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see the delivery history");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (page, total) = await db.Set<OutboxMessage>().AsNoTracking()
            .WhereIf(query.IntegrationId is not null, m => m.IntegrationId == query.IntegrationId)
            .WhereIf(query.Status is not null, m => m.Status == query.Status)
            .WhereIf(query.From is not null, m => m.CreatedAt >= query.From)
            .WhereIf(query.To is not null, m => m.CreatedAt <= query.To)
            .PageAsync(q => q.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id), query.Skip, query.Take, ct);
        var names = await NamesAsync(db, page.Select(m => m.IntegrationId), ct);
        var ids = page.Select(m => m.Id).ToList();
        // The last attempt's duration of each row: a page's attempts are few (25 messages, 8 tries at most).
        var durations = (await db.Set<DeliveryAttempt>().AsNoTracking()
                .Where(a => ids.Contains(a.MessageId))
                .Select(a => new { a.MessageId, a.AttemptNumber, a.DurationMs })
                .ToListAsync(ct))
            .GroupBy(a => a.MessageId)
            .ToDictionary(g => g.Key, g => g.MaxBy(a => a.AttemptNumber)!.DurationMs);
        return new PagedResult<DeliveryRow>(page.Select(m => Row(m, names) with { LastDurationMs = durations.TryGetValue(m.Id, out var ms) ? ms : null }).ToList(), total);
    }

    public async Task<DeliveryDetail> GetAsync(Guid messageId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see the delivery history");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var message = await db.Set<OutboxMessage>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == messageId, ct)
            ?? throw PortalException.NotFound("The message");
        var attempts = await db.Set<DeliveryAttempt>().AsNoTracking()
            .Where(a => a.MessageId == messageId)
            .OrderBy(a => a.AttemptNumber)
            .Select(a => new DeliveryAttemptView(a.AttemptNumber, a.Trigger, a.At, a.Succeeded, a.Url, a.Method, a.RequestHeaders, a.RequestBody,
                a.StatusCode, a.ResponseHeaders, a.ResponseBody, a.DurationMs, a.ErrorClass, a.ErrorMessage, a.NextAttemptAt, a.Note))
            .ToListAsync(ct);
        var names = await NamesAsync(db, [message.IntegrationId], ct);
        // An emailed invitation's link is sealed in its payload; nobody is shown even that (docs/decisions/035).
        var payload = message.EventType == InvitationEmail.EventType ? InvitationEmail.Redact(message.Payload) : message.Payload;
        return new DeliveryDetail(Row(message, names), payload, attempts);
    }

    /// <summary>Integrations whose deliveries stopped (410 or too many failures), for the admins' banner.</summary>
    public async Task<IReadOnlyList<DeliveryAlert>> AlertsAsync(CancellationToken ct = default)
    {
        if (!currentUser.Can(PortalPermission.Administer) || currentUser.OrganizationId is null)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stopped = await db.Set<Integration>().AsNoTracking()
            .Where(i => i.Status == IntegrationStatus.Error && (i.ErrorCause == LifecycleEvent.DeliveryGone || i.ErrorCause == LifecycleEvent.DeliveryFailing))
            .OrderBy(i => i.Name)
            .Take(10)
            .Select(i => new { i.Id, i.Name, i.LastError })
            .ToListAsync(ct);
        return stopped.Select(i => new DeliveryAlert(i.Id, i.Name, i.LastError!)).ToList();
    }

    /// <summary>The words the dispatcher starts a "deliveries stopped" error with (for people: the banner asks <see cref="Integration.ErrorCause"/>).</summary>
    public const string StoppedPrefix = "Deliveries stopped";

    /// <summary>A payload to start a Test send from, shaped for the type's sender.</summary>
    public string SamplePayload(string typeKey) => senders.SamplePayload(CatalogService.Get(typeKey));

    /// <summary>For the retention job: deletes history older than the retention period, across organizations.</summary>
    internal async Task<int> DeleteExpiredHistoryAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.HistoryRetentionDays);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var attempts = await db.Set<DeliveryAttempt>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(a => a.At < cutoff).ExecuteDeleteAsync(ct);
        await db.Set<OutboxMessage>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .Where(m => m.CreatedAt < cutoff && (m.Status == DeliveryStatus.Delivered || m.Status == DeliveryStatus.Dead
                                                 || ((m.Status == DeliveryStatus.Failed || m.Status == DeliveryStatus.Unknown) && m.NextAttemptAt == null)))
            .ExecuteDeleteAsync(ct);
        return attempts;
    }

    private async Task<List<Guid>> WriteAsync(Guid integrationId, string eventType, IReadOnlyList<string> payloads, DeliveryTrigger trigger, CancellationToken ct,
        string? idempotencyKey = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, ct);
        var type = SendingType(integration, trigger);

        var now = time.GetUtcNow();
        var ids = new List<Guid>(payloads.Count);
        var messages = new List<OutboxMessage>(payloads.Count);
        foreach (var payload in payloads)
        {
            ValidatePayload(payload);
            var message = new OutboxMessage
            {
                Id = Guid.CreateVersion7(now),
                IntegrationId = integrationId,
                EventType = string.IsNullOrWhiteSpace(eventType) ? "message" : eventType.Trim(),
                Payload = payload,
                Trigger = trigger,
                Status = DeliveryStatus.Pending,
                Sequence = NextSequence(now),
                InOrder = type.DeliversInOrder && trigger == DeliveryTrigger.Automatic,
                NextAttemptAt = now,
                CreatedAt = now,
                IdempotencyKey = idempotencyKey,
            };
            db.Add(message);
            ids.Add(message.Id);
            messages.Add(message);
        }

        await db.SaveChangesAsync(ct);
        messages.ForEach(DeliveryTraces.Enqueued);
        foreach (var id in ids)
        {
            events.Publish(new DeliveryChange(id, integrationId, DeliveryStatus.Pending));
        }

        return ids;
    }

    /// <summary>The integration's type when it may be sent to now; else the refusal.</summary>
    private IntegrationType SendingType(Integration? integration, DeliveryTrigger trigger)
    {
        if (integration is null)
        {
            throw PortalException.NotFound("The integration");
        }

        var type = CatalogService.Get(integration.TypeKey);
        if (type.Direction != IntegrationDirection.Egress || senders.For(type.Key) is null)
        {
            throw PortalException.Conflict($"{type.DisplayName} integrations do not send messages.");
        }

        if (trigger == DeliveryTrigger.Automatic && integration.Status is IntegrationStatus.Inactive or IntegrationStatus.Error)
        {
            throw PortalException.Conflict($"'{integration.Name}' is {IntegrationLifecycle.Label(integration.Status)}; activate it first.");
        }

        return type;
    }

    private static long _lastSequence;

    /// <summary>
    /// The clock's ticks, bumped past the last one handed out so messages queued in the same tick still
    /// have an order. After a restart the clock has moved on, so the order holds across restarts too.
    /// </summary>
    private static long NextSequence(DateTimeOffset now)
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastSequence);
            var next = Math.Max(last + 1, now.UtcTicks);
            if (Interlocked.CompareExchange(ref _lastSequence, next, last) == last)
            {
                return next;
            }
        }
    }

    private static void ValidatePayload(string payload)
    {
        if (string.IsNullOrWhiteSpace(payload) || payload.Length > MaxPayloadLength)
        {
            throw PortalException.Invalid("payload", "Enter a JSON payload of up to 256 KB.");
        }

        try
        {
            using var _ = JsonDocument.Parse(payload);
        }
        catch (JsonException e)
        {
            throw PortalException.Invalid("payload", $"The payload is not valid JSON: {e.Message}");
        }
    }

    private void Requeue(OutboxMessage message)
    {
        message.Trigger = DeliveryTrigger.ManualResend;
        message.Status = DeliveryStatus.Pending;
        message.NextAttemptAt = time.GetUtcNow();
    }

    private static async Task<Dictionary<Guid, string>> NamesAsync(PortalDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToList();
        // Deleted integrations keep their name in the history.
        return await db.Set<Integration>().IgnoreQueryFilters(["SoftDelete"]).AsNoTracking()
            .Where(i => distinct.Contains(i.Id))
            .ToDictionaryAsync(i => i.Id, i => i.Name, ct);
    }

    private static DeliveryRow Row(OutboxMessage m, Dictionary<Guid, string> names) =>
        new(m.Id, m.IntegrationId, names.GetValueOrDefault(m.IntegrationId, "(deleted)"), m.EventType, m.Trigger, m.Status,
            m.TotalAttempts, m.LastError, m.CreatedAt, m.DeliveredAt, m.NextAttemptAt);
}
