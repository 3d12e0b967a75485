using System.Collections.Concurrent;
using System.Text.Json;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Flows.Destinations;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Operations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Flows;

/// <summary>
/// Runs every deployed flow whose sources match the readings a pull (or, where the flow asks, a
/// backfill) has written. Per page of readings, in three steps:
/// 1. the (flow, reading) runs not recorded yet are worked out (a run's id is made from both, so
///    data read again finds its run and is skipped) and their functions run on the sandbox threads;
/// 2. each message for an active destination goes to the outbox under the key
///    flow/{run}/{node}/{index}, which the outbox accepts once; a capability destination's message
///    becomes an operation whose id is made from that key (re-routed when its integration fails for good);
/// 3. the runs and their steps are recorded, in one transaction.
/// A crash before step 3 leaves the page unsaved in the ingestion run, which reads it again and
/// lands here again: the runs are done again and step 2 queues nothing twice.
/// </summary>
public sealed class FlowRunner(
    IDbContextFactory<PortalDbContext> dbFactory,
    CurrentUser currentUser,
    DeliveryService delivery,
    OperationService operations,
    FunctionSandbox sandbox,
    FlowEvents events,
    TimeProvider time,
    FlowTelemetry telemetry,
    ILogger<FlowRunner> logger) : IReadingsObserver
{
    public const string EventType = "flow.message";

    /// <summary>Deployed versions never change, so their parsed graphs are kept (a few per flow at most).</summary>
    private static readonly ConcurrentDictionary<Guid, FlowGraph> Graphs = new();

    /// <summary>A deployed, enabled flow with its running version.</summary>
    public sealed record DeployedFlow(Guid Id, string Name, Guid VersionId, int VersionNumber, FlowGraph Graph);

    /// <summary>The ids of the runs recorded in a key range, for the organization: {0} and {1} the range, {2} the organization.</summary>
    private const string RecordedRuns = $$"""SELECT "Id" AS "Value" FROM "{{nameof(FlowRun)}}" WHERE "Id" BETWEEN {0} AND {1} AND "OrganizationId" = {2}""";

    /// <summary>
    /// <see cref="RecordedRuns"/> for SQLite. SQLite has no statistics and prefers an equality on an index
    /// (the organization's) to a range on the key; that visited every run of the organization, a scan of
    /// the whole history for every page of readings. A unary + keeps the tenant's condition off the
    /// indexes, so the key range drives the search.
    /// </summary>
    internal const string RecordedRunsOnSqlite = $$"""SELECT "Id" AS "Value" FROM "{{nameof(FlowRun)}}" WHERE "Id" BETWEEN {0} AND {1} AND +"OrganizationId" = {2}""";

    private sealed record PlannedRun(DeployedFlow Flow, FlowRun Run, List<FlowNode> Sources, string Context);

    public async Task ReadingsWrittenAsync(WrittenReadings written, CancellationToken ct)
    {
        if (written.Readings.Count == 0)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flows = (await DeployedAsync(db, ct))
            .Where(f => written.Kind == IngestionKind.Pull || f.Graph.RunOnBackfills)
            .ToList();
        if (flows.Count == 0)
        {
            return;
        }

        var planned = await PlanAsync(db, flows, written, ct);
        if (planned.Count == 0)
        {
            return;
        }

        var toRun = await NotRecordedAsync(db, planned, ct);
        if (toRun.Count == 0)
        {
            return;
        }

        var executions = await sandbox.RunAsync(() => Execute(toRun));
        var steps = await DeliverAsync(db, toRun, executions, ct);
        await FinishAsync(db, toRun.Select(p => p.Run).ToList(), steps, ct);
        foreach (var flowId in toRun.Select(p => p.Flow.Id).Distinct())
        {
            events.Publish(flowId);
        }
    }

    /// <summary>The organization's enabled flows with their deployed versions.</summary>
    public static async Task<List<DeployedFlow>> DeployedAsync(PortalDbContext db, CancellationToken ct)
    {
        var rows = await db.Set<Flow>().AsNoTracking()
            .Where(f => f.Enabled && f.DeployedVersionId != null)
            .Join(db.Set<FlowVersion>(), f => f.DeployedVersionId, v => v.Id, (f, v) => new { f.Id, f.Name, VersionId = v.Id, v.Number })
            .ToListAsync(ct);
        var missing = rows.Where(r => !Graphs.ContainsKey(r.VersionId)).Select(r => r.VersionId).ToList();
        if (missing.Count > 0)
        {
            foreach (var version in await db.Set<FlowVersion>().AsNoTracking().Where(v => missing.Contains(v.Id)).Select(v => new { v.Id, v.Graph }).ToListAsync(ct))
            {
                Graphs[version.Id] = FlowGraph.FromJson(version.Graph);
            }
        }

        return rows.Select(r => new DeployedFlow(r.Id, r.Name, r.VersionId, r.Number, Graphs[r.VersionId])).ToList();
    }

    private async Task<List<PlannedRun>> PlanAsync(PortalDbContext db, List<DeployedFlow> flows, WrittenReadings written, CancellationToken ct)
    {
        var resources = await FlowInput.ResolveAsync(db, written.Readings.Select(r => r.ResourcePath), ct);
        var places = flows.Any(f => f.Graph.Nodes.Any(n => n.Source == FlowSourceKind.Place)) ? await PlaceIndex.LoadAsync(db, ct) : null;
        var subtrees = new Dictionary<Guid, HashSet<Guid>>();
        HashSet<Guid> Subtree(Guid id) => subtrees.TryGetValue(id, out var set)
            ? set
            : subtrees[id] = places is not null && places.Contains(id) ? [.. places.Subtree(id)] : [];

        var organizationId = currentUser.RequireOrganization();
        var now = time.GetUtcNow();
        var planned = new List<PlannedRun>();
        for (var index = 0; index < written.Readings.Count; index++)
        {
            var reading = written.Readings[index];
            if (!resources.TryGetValue(reading.ResourcePath, out var resource))
            {
                continue;
            }

            string? input = null;
            foreach (var flow in flows)
            {
                var sources = FlowInput.MatchingSources(flow.Graph, resource, written.SourceIntegrationId, Subtree);
                if (sources.Count == 0)
                {
                    continue;
                }

                input ??= written.Messages?[index] ?? FlowInput.Message(reading, resource, written.SourceIntegrationId);
                planned.Add(new PlannedRun(flow, new FlowRun
                {
                    Id = FlowInput.RunId(flow.Id, written.SourceIntegrationId, reading),
                    OrganizationId = organizationId,
                    FlowId = flow.Id,
                    VersionId = flow.VersionId,
                    VersionNumber = flow.VersionNumber,
                    Status = FlowRunStatus.Completed,
                    Input = input,
                    SourceIntegrationId = written.SourceIntegrationId,
                    ResourcePath = reading.ResourcePath,
                    ReadingAt = reading.Timestamp,
                    StartedAt = now,
                }, sources, FlowInput.Context(flow.Name, flow.VersionNumber, resource, reading.Timestamp)));
            }
        }

        return planned;
    }

    /// <summary>
    /// The runs not recorded yet (a run recorded before, by this page read earlier, is done). Run ids
    /// start with the reading's time, so the recorded ones of a page are found with one range scan of
    /// the key, which new data finds empty; a list of a thousand ids to look up cost more than the rest.
    /// </summary>
    private async Task<List<PlannedRun>> NotRecordedAsync(PortalDbContext db, List<PlannedRun> planned, CancellationToken ct)
    {
        // The same reading twice in one page (a provider's repeat) is one run.
        planned = planned.DistinctBy(p => p.Run.Id).ToList();
        var organizationId = currentUser.RequireOrganization();
        HashSet<string> recorded;
        if (db.IsSqlite())
        {
            // EF Core's SQLite provider stores Guids as upper-case text, which sorts like the Guid's fields.
            var keys = planned.Select(p => Key(p.Run.Id)).Order(StringComparer.Ordinal).ToList();
            recorded = (await db.Database.SqlQueryRaw<string>(RecordedRunsOnSqlite, keys[0], keys[^1], Key(organizationId)).ToListAsync(ct)).ToHashSet();
        }
        else
        {
            // PostgreSQL's uuid sorts by its bytes, which is the order of the same upper-case text.
            var ids = planned.Select(p => p.Run.Id).OrderBy(Key, StringComparer.Ordinal).ToList();
            recorded = (await db.Database.SqlQueryRaw<Guid>(RecordedRuns, ids[0], ids[^1], organizationId).ToListAsync(ct)).Select(Key).ToHashSet();
        }

        return recorded.Count == 0 ? planned : planned.Where(p => !recorded.Contains(Key(p.Run.Id))).ToList();

        static string Key(Guid id) => id.ToString().ToUpperInvariant();
    }

    /// <summary>Step 1, on a sandbox thread: each function compiled once per page and flow version.</summary>
    private List<FlowExecutionResult> Execute(List<PlannedRun> runs)
    {
        var compiled = new Dictionary<(Guid, string), (FlowFunction? Function, FunctionResult? Problem)>();
        var results = new List<FlowExecutionResult>(runs.Count);
        try
        {
            foreach (var (flow, run, sources, context) in runs)
            {
                results.Add(FlowExecution.Run(flow.Graph, sources, run.Input, context, (node, message, ctx) =>
                {
                    var key = (flow.VersionId, node.Id);
                    if (!compiled.TryGetValue(key, out var entry))
                    {
                        compiled[key] = entry = (FlowFunction.TryCompile(node.Code ?? "", sandbox.Limits, out var problem), problem);
                    }

                    if (entry.Function is null)
                    {
                        return entry.Problem!;
                    }

                    var result = entry.Function.Invoke(message, ctx);
                    if (result.Failed)
                    {
                        // A call stopped half-way may leave its globals odd; the next call starts from a fresh engine.
                        compiled.Remove(key);
                        entry.Function.Dispose();
                    }

                    return result;
                }));
            }
        }
        finally
        {
            // Each engine holds its realm until disposed; a page's functions go when the page is done.
            foreach (var (function, _) in compiled.Values)
            {
                function?.Dispose();
            }
        }

        return results;
    }

    /// <summary>Step 2: the destinations' messages into the outbox, one call per integration; returns every step.</summary>
    private async Task<List<FlowRunStep>> DeliverAsync(PortalDbContext db, List<PlannedRun> runs, List<FlowExecutionResult> executions, CancellationToken ct)
    {
        var integrationIds = executions.SelectMany(e => e.Arrivals).Select(a => a.Node.IntegrationId ?? Guid.Empty).Distinct().ToList();
        var integrations = await db.Set<Integration>().AsNoTracking().Where(i => integrationIds.Contains(i.Id))
            .Select(i => new { i.Id, i.Name, i.TypeKey, i.Status }).ToDictionaryAsync(i => i.Id, ct);
        // Capability destinations: routed once per page, so every message of the page goes the same way.
        var routes = new Dictionary<string, Routing.Route?>();
        foreach (var capability in executions.SelectMany(e => e.Arrivals).Select(a => a.Node.Capability).OfType<string>().Distinct())
        {
            routes[capability] = await ProviderRouter.RouteAsync(db, capability, [], ct);
        }

        var now = time.GetUtcNow();
        var steps = new List<FlowRunStep>();
        var outgoing = new List<(FlowRunStep Step, KeyedMessage Message)>();
        var routed = new List<(FlowRunStep Step, FlowCapabilityMessage Message)>();
        for (var i = 0; i < runs.Count; i++)
        {
            var (run, execution) = (runs[i].Run, executions[i]);
            foreach (var step in execution.FunctionSteps)
            {
                step.OrganizationId = run.OrganizationId;
                step.RunId = run.Id;
                step.At = now;
                steps.Add(step);
            }

            run.Error = execution.Error is { } error ? Limits.Shorten(error) : null;
            run.Status = execution.Error is not null ? FlowRunStatus.Failed
                : execution.Arrivals.Count == 0 ? FlowRunStatus.Dropped : FlowRunStatus.Completed;
            foreach (var arrival in execution.Arrivals)
            {
                var step = new FlowRunStep
                {
                    Id = Guid.CreateVersion7(now),
                    OrganizationId = run.OrganizationId,
                    RunId = run.Id,
                    NodeId = arrival.Node.Id,
                    Kind = FlowStepKind.Destination,
                    Index = arrival.Index,
                    Input = arrival.Message,
                    At = now,
                };
                steps.Add(step);
                if (arrival.Node.Capability is { } capability)
                {
                    if (routes[capability] is not { } route)
                    {
                        step.Error = ProviderRouter.NoActiveProvider(capability);
                        continue;
                    }

                    // The history says where the capability went; the outbox message carries the integration too.
                    step.Note = Limits.Shorten($"Routed {capability} to '{route.Integration.Name}'{(route.FallbackUsed ? ", the rule's fallback" : "")}.");
                    routed.Add((step, new FlowCapabilityMessage(MessageKey(run, arrival), run.ReadingAt, capability, arrival.Message, arrival.Node.Parameters, route)));
                    continue;
                }

                var integration = integrations.GetValueOrDefault(arrival.Node.IntegrationId ?? Guid.Empty);
                if (integration is null)
                {
                    step.Note = "Nothing sent: the integration was deleted.";
                }
                else if (integration.Status != IntegrationStatus.Active)
                {
                    step.Note = $"Nothing sent: '{integration.Name}' is {IntegrationLifecycle.Label(integration.Status)} and receives messages only while active.";
                }
                else
                {
                    outgoing.Add((step, Message(run, arrival, integration.Id, DestinationKinds.For(integration.TypeKey), arrival.Node.Parameters)));
                }
            }
        }

        foreach (var group in outgoing.GroupBy(o => o.Message.IntegrationId))
        {
            var batch = group.ToList();
            try
            {
                var ids = await delivery.EnqueueOnceAsync(batch.Select(o => o.Message).ToList(), ct);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Step.OutboxMessageId = ids[i];
                }
            }
            catch (PortalException e)
            {
                // The integration changed state since it was read (disabled a moment ago): say so on each step.
                logger.LogWarning("Flow messages for integration {IntegrationId} were not queued: {Reason}", group.Key, e.Message);
                batch.ForEach(o => o.Step.Note = Limits.Shorten("Nothing sent: " + e.Message));
            }
        }

        // A capability's message is an operation (decision 034): a final failure re-routes it to the next integration the rules give.
        var hops = await operations.QueueFlowMessagesAsync(routed.Select(r => r.Message).ToList(), ct);
        for (var i = 0; i < routed.Count; i++)
        {
            routed[i].Step.OutboxMessageId = hops[i];
        }

        var queued = steps.Where(s => s.OutboxMessageId is not null).GroupBy(s => s.RunId).ToDictionary(g => g.Key, g => g.Count());
        runs.ForEach(p => p.Run.MessagesQueued = queued.GetValueOrDefault(p.Run.Id));
        return steps;
    }

    private static KeyedMessage Message(FlowRun run, DestinationArrival arrival, Guid integrationId, DestinationKind kind, IReadOnlyDictionary<string, string> parameters)
    {
        using var message = JsonDocument.Parse(arrival.Message);
        var rendered = kind.Render(message.RootElement, parameters);
        return new KeyedMessage(integrationId, EventType, rendered.Payload, MessageKey(run, arrival), rendered.Parameters);
    }

    private static string MessageKey(FlowRun run, DestinationArrival arrival) => $"flow/{run.Id:N}/{arrival.Node.Id}/{arrival.Index}";

    /// <summary>Step 3: the runs and their steps, in one transaction; a run another reader recorded meanwhile keeps its record.</summary>
    private async Task FinishAsync(PortalDbContext db, List<FlowRun> runs, List<FlowRunStep> steps, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        runs.ForEach(r => r.FinishedAt = now);
        await db.Database.OpenConnectionAsync(ct);
        HashSet<Guid> mine;
        await using (await RelaxedDurability.StartAsync(db.Database.GetDbConnection(), ct))
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var inserted = await PreparedRows.InsertNewAsync(db, runs, ct);
            mine = runs.Where((_, i) => inserted[i]).Select(r => r.Id).ToHashSet();
            await PreparedRows.InsertAsync(db, mine.Count == runs.Count ? steps : steps.Where(s => mine.Contains(s.RunId)).ToList(), ct);
            await transaction.CommitAsync(ct);
        }

        foreach (var run in runs.Where(r => mine.Contains(r.Id)))
        {
            telemetry.RunRecorded(run.Status);
        }
    }
}
