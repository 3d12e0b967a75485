using System.Text.Json;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Operations;

/// <summary>
/// Operations: accepted at once, routed by <see cref="ProviderRouter"/>, delivered by the outbox with
/// its retries and history. When a hop's message ends without delivery (its provider refused for good,
/// its retries ran out, or its integration was disabled or deleted while it waited) the operation is
/// routed again without that integration, so the rule's fallback or the next rule takes it.
/// </summary>
public sealed class OperationService(
    CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, DeliveryService delivery, TypeCode<IDeliverySender> senders,
    IFlowHopRenderer flowHops, TimeProvider time)
{
    public const string DeliveryFailedCode = "delivery_failed";

    public async Task<string> CreateAsync(string? capability, JsonElement payload, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "start operations");
        var errors = new Dictionary<string, string[]>();
        OperationPayloads.Check(capability, payload, errors);
        var text = payload.ValueKind == JsonValueKind.Undefined ? "" : payload.GetRawText();
        if (text.Length > DeliveryService.MaxPayloadLength)
        {
            errors["payload"] = ["The payload must be at most 256 KB."];
        }

        if (errors.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, errors.First().Value[0], errors);
        }

        var now = time.GetUtcNow();
        var operation = new Operation { Id = Ulid.NewUlid(now).ToString(), Capability = capability!, Payload = text };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(operation);
        await RouteAsync(db, operation, lastError: null, ct);
        return operation.Id;
    }

    public async Task<OperationView> GetAsync(string id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see operations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var operation = await db.Set<Operation>().AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct) ?? throw PortalException.NotFound("The operation");
        var integration = operation.IntegrationId is { } integrationId
            ? await db.Set<Integration>().IgnoreQueryFilters(["SoftDelete"]).AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, ct)
            : null;
        var attempts = operation.Attempts;
        var error = operation.Error;
        if (operation.Status == OperationStatus.Queued)
        {
            // The current hop is still in the outbox: its attempts so far, and why the last one failed.
            var key = Operation.MessageKey(operation.Id, operation.Hop);
            var message = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.IdempotencyKey == key)
                .Select(m => new { m.TotalAttempts, m.LastError }).SingleOrDefaultAsync(ct);
            attempts += message?.TotalAttempts ?? 0;
            error = message?.LastError;
        }

        return new OperationView(
            operation.Id, operation.Capability, operation.Status, integration?.ApiId, integration is null ? null : CatalogService.Get(integration.TypeKey).Key,
            operation.RuleId, operation.FallbackUsed, attempts, operation.ErrorCode, error, operation.Reference, operation.CreatedAt, operation.UpdatedAt, operation.CompletedAt);
    }

    /// <summary>
    /// For <see cref="OperationProgress"/>, acting as the operation's organization: the hop's message ended.
    /// Delivered: the operation succeeded. Otherwise it is routed again without that integration.
    /// A message of an earlier hop, or of a finished operation (a manual resend), changes nothing.
    /// </summary>
    internal async Task MessageEndedAsync(EndedMessage ended, CancellationToken ct)
    {
        if (Operation.FromMessageKey(ended.Message.IdempotencyKey) is not var (id, hop))
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var operation = await db.Set<Operation>().SingleOrDefaultAsync(o => o.Id == id, ct);
        if (operation is null || operation.Status != OperationStatus.Queued || operation.Hop != hop)
        {
            return;
        }

        operation.Attempts += ended.Message.TotalAttempts;
        if (ended.Delivered)
        {
            operation.Status = OperationStatus.Succeeded;
            operation.Reference = ended.Outcome.Reference;
            operation.Error = null;
            // The same instant in both: the API shows a finished operation as last changed when it completed.
            operation.CompletedAt = operation.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
            return;
        }

        operation.Excluded.Add(ended.Message.IntegrationId.ToString());
        await RouteAsync(db, operation, ended.Message.LastError, ct);
    }

    /// <summary>
    /// For the flow runner: each capability destination's message becomes an operation whose first hop is
    /// the route the runner chose for its page, so a final failure re-routes it like any operation. Its id
    /// comes from the flow's message key, so a page run again after a crash finds its operations and
    /// queues nothing twice. Returns each message's first outbox message, or null when the integration
    /// refused it just now (the operation sweep re-routes that one).
    /// </summary>
    internal async Task<IReadOnlyList<Guid?>> QueueFlowMessagesAsync(IReadOnlyList<FlowCapabilityMessage> messages, CancellationToken ct)
    {
        currentUser.Demand(PortalPermission.Operate, "send messages");
        if (messages.Count == 0)
        {
            return [];
        }

        var operations = messages.Select(m => new Operation
        {
            Id = FlowOperationId(m.FlowKey, m.ReadingAt), Capability = m.Capability, Payload = m.Message, FlowKey = m.FlowKey,
            DestinationParameters = new Dictionary<string, string>(m.Parameters), Hop = 1, IntegrationId = m.Route.Integration.Id,
            RuleId = m.Route.Rule.Id, FallbackUsed = m.Route.FallbackUsed,
        }).ToList();
        var ids = operations.Select(o => o.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = (await db.Set<Operation>().AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => o.Id).ToListAsync(ct)).ToHashSet();
        db.AddRange(operations.Where(o => !existing.Contains(o.Id)).DistinctBy(o => o.Id));
        await db.SaveChangesAsync(ct);

        // The first hop of each, queued once by its key: a page run again gets the ids it queued before.
        var queued = new Guid?[operations.Count];
        foreach (var group in operations.Select((o, i) => (Operation: o, Index: i, messages[i].Route.Integration.TypeKey)).GroupBy(o => o.Operation.IntegrationId))
        {
            var batch = group.ToList();
            try
            {
                var messageIds = await delivery.EnqueueOnceAsync(batch.Select(b => HopMessage(b.Operation, b.Operation.IntegrationId!.Value, b.TypeKey)).ToList(), ct);
                for (var i = 0; i < batch.Count; i++)
                {
                    queued[batch[i].Index] = messageIds[i];
                }
            }
            catch (PortalException e) when (e.Kind is PortalErrorKind.Conflict or PortalErrorKind.NotFound)
            {
                // Disabled or deleted since the page was routed: the sweep finds the hop without a message and re-routes.
            }
        }

        return queued;
    }

    /// <summary>A ULID made from the flow's message key (the reading's time, then a hash), the same every time the page is run.</summary>
    private static string FlowOperationId(string flowKey, DateTimeOffset readingAt)
    {
        Span<byte> bytes = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(flowKey), bytes);
        var ms = readingAt.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(ms >> (8 * (5 - i)));
        }

        return new Ulid(bytes[..16]).ToString();
    }

    /// <summary>
    /// For <see cref="OperationSweepJob"/>, acting as the operation's organization: catches a queued operation
    /// up with its current hop when the process stopped in between. The hop's message was never queued
    /// (stopped after the hop was saved): it is queued now. The message ended but the operation did not
    /// hear of it (stopped after the dispatcher wrote the result): it moves on as it would have then. A
    /// message still waiting for a retry changes nothing.
    /// </summary>
    internal async Task CatchUpAsync(string id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var operation = await db.Set<Operation>().SingleOrDefaultAsync(o => o.Id == id, ct);
        if (operation is not { Status: OperationStatus.Queued })
        {
            return;
        }

        var key = Operation.MessageKey(operation.Id, operation.Hop);
        var message = await db.Set<OutboxMessage>().AsNoTracking().SingleOrDefaultAsync(m => m.IdempotencyKey == key, ct);
        if (message is null)
        {
            if (operation.IntegrationId is not { } integrationId)
            {
                await RouteAsync(db, operation, lastError: null, ct);
            }
            else if (await TryQueueHopAsync(
                operation, integrationId, await db.Set<Integration>().Where(i => i.Id == integrationId).Select(i => i.TypeKey).SingleOrDefaultAsync(ct) ?? "", ct) is { } refusal)
            {
                await RouteAsync(db, operation, refusal, ct);
            }

            return;
        }

        if (!EndedMessage.HasEnded(message))
        {
            return;
        }

        // The answer is recorded with the attempt; the sender reads its reference from it as it did when sending.
        var answer = message.Status == DeliveryStatus.Delivered
            ? await db.Set<DeliveryAttempt>().AsNoTracking().Where(a => a.MessageId == message.Id && a.Succeeded)
                .OrderByDescending(a => a.AttemptNumber).Select(a => a.ResponseBody).FirstOrDefaultAsync(ct)
            : null;
        var integrationType = await db.Set<Integration>().IgnoreQueryFilters(["SoftDelete"])
            .Where(i => i.Id == message.IntegrationId).Select(i => i.TypeKey).SingleOrDefaultAsync(ct);
        var reference = integrationType is null ? null : senders.For(integrationType)?.ReferenceOf(answer);
        await MessageEndedAsync(new EndedMessage(message, new DeliveryOutcome { Reference = reference }), ct);
    }

    /// <summary>
    /// Sends the operation on its next hop (or fails it when nothing is eligible) and saves it. The
    /// operation is saved before its message is queued, so the message's end always finds its hop.
    /// </summary>
    private async Task RouteAsync(PortalDbContext db, Operation operation, string? lastError, CancellationToken ct)
    {
        while (true)
        {
            var excluded = operation.Excluded.Select(Guid.Parse).ToList();
            var route = await ProviderRouter.RouteAsync(db, operation.Capability, excluded, ct);
            if (route is null)
            {
                operation.Status = OperationStatus.Failed;
                operation.ErrorCode = lastError is null ? ProviderRouter.NoActiveProviderCode : DeliveryFailedCode;
                operation.Error = lastError is null
                    ? ProviderRouter.NoActiveProvider(operation.Capability)
                    : Limits.Shorten($"{lastError.TrimEnd('.')}. No other active provider for {operation.Capability}.");
                operation.CompletedAt = time.GetUtcNow();
                await db.SaveChangesAsync(ct);
                return;
            }

            operation.Hop++;
            operation.IntegrationId = route.Integration.Id;
            operation.RuleId = route.Rule.Id;
            operation.FallbackUsed = route.FallbackUsed || excluded.Count > 0;
            await db.SaveChangesAsync(ct);
            if (await TryQueueHopAsync(operation, route.Integration.Id, route.Integration.TypeKey, ct) is not { } refusal)
            {
                return;
            }

            lastError = refusal;
        }
    }

    /// <summary>Queues the current hop's message (once, by its key); null, or why the integration refused it and is now excluded.</summary>
    private async Task<string?> TryQueueHopAsync(Operation operation, Guid integrationId, string typeKey, CancellationToken ct)
    {
        try
        {
            await delivery.EnqueueOnceAsync([HopMessage(operation, integrationId, typeKey)], ct);
            return null;
        }
        catch (PortalException e) when (e.Kind is PortalErrorKind.Conflict or PortalErrorKind.NotFound)
        {
            // Disabled or deleted between routing and queueing: the next one takes it.
            operation.Excluded.Add(integrationId.ToString());
            return e.Message;
        }
    }

    /// <summary>The current hop's message: the payload as given, or a flow's message rendered for the hop's integration type.</summary>
    private KeyedMessage HopMessage(Operation operation, Guid integrationId, string typeKey)
    {
        var key = Operation.MessageKey(operation.Id, operation.Hop);
        return operation.FlowKey is null
            ? new KeyedMessage(integrationId, operation.Capability, operation.Payload, key)
            : flowHops.Render(integrationId, typeKey, operation.Payload, operation.DestinationParameters, key);
    }
}

/// <summary>A flow's message for a capability destination, with the route chosen for its page (decision 039).</summary>
public sealed record FlowCapabilityMessage(string FlowKey, DateTimeOffset ReadingAt, string Capability, string Message, IReadOnlyDictionary<string, string> Parameters, Routing.Route Route);
