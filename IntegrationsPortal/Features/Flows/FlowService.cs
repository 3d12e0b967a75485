using System.Text.Json;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Operations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Flows;

/// <summary>
/// Flows for the UI and the API: list, create, edit the draft, deploy, switch on and off, test a
/// function, and read the history. State changes go through <see cref="FlowLifecycle"/>; running
/// is <see cref="FlowRunner"/>'s.
/// </summary>
public sealed class FlowService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    FlowValidator validator,
    FunctionSandbox sandbox,
    FlowEvents events,
    TimeProvider time)
{
    public const int SparklineDays = 14;

    public async Task<IReadOnlyList<FlowSummary>> ListAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flows");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flows = await db.Set<Flow>().AsNoTracking().OrderBy(f => f.Name).ToListAsync(ct);
        var versionIds = flows.Select(f => f.DeployedVersionId).OfType<Guid>().ToList();
        var drafts = await db.Set<FlowVersion>().AsNoTracking()
            .Where(v => v.Kind == FlowVersionKind.Draft || versionIds.Contains(v.Id))
            .Select(v => new { v.Id, v.FlowId, v.Kind, v.Graph }).ToListAsync(ct);
        var now = time.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var since = today.AddDays(-(SparklineDays - 1));
        var runs = await db.Set<FlowRun>().AsNoTracking()
            .Where(r => r.StartedAt >= since)
            .Select(r => new { r.FlowId, r.StartedAt, r.Status })
            .ToListAsync(ct);
        var lastRuns = await db.Set<FlowRun>().AsNoTracking()
            .GroupBy(r => r.FlowId).Select(g => new { FlowId = g.Key, Last = g.Max(r => r.StartedAt) })
            .ToDictionaryAsync(x => x.FlowId, x => x.Last, ct);
        var names = await NamesAsync(db, ct);
        return flows.Select(flow =>
        {
            var graphJson = drafts.FirstOrDefault(v => v.Id == flow.DeployedVersionId)?.Graph
                ?? drafts.First(v => v.FlowId == flow.Id && v.Kind == FlowVersionKind.Draft).Graph;
            var graph = FlowGraph.FromJson(graphJson);
            var mine = runs.Where(r => r.FlowId == flow.Id).ToList();
            var daily = Enumerable.Range(0, SparklineDays)
                .Select(d => mine.Count(r => r.StartedAt >= since.AddDays(d) && r.StartedAt < since.AddDays(d + 1))).ToList();
            return new FlowSummary(flow.Id, flow.Name, flow.State, flow.DeployedVersionNumber,
                graph.Nodes.Where(n => n.Kind == FlowNodeKind.Source).Select(n => Describe(n, names)).ToList(),
                graph.Nodes.Where(n => n.Kind == FlowNodeKind.Destination).Select(n => Describe(n, names)).ToList(),
                lastRuns.TryGetValue(flow.Id, out var last) ? last : null,
                mine.Count(r => r.StartedAt >= today), mine.Count(r => r.StartedAt >= today && r.Status == FlowRunStatus.Failed), daily);
        }).ToList();
    }

    public async Task<Guid> CreateAsync(string name, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "create flows");
        name = ValidName(name);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Set<Flow>().AnyAsync(f => f.Name == name, ct))
        {
            throw PortalException.Invalid("name", "A flow with this name exists already.");
        }

        var now = time.GetUtcNow();
        var flow = new Flow { Id = Guid.CreateVersion7(now), Name = name };
        db.Add(flow);
        db.Add(new FlowVersion
        {
            Id = Guid.CreateVersion7(now), FlowId = flow.Id, Number = 0, Kind = FlowVersionKind.Draft,
            Graph = new FlowGraph().ToJson(), SavedBy = currentUser.UserName, SavedAt = now,
        });
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "flow.created", $"Created flow '{name}'."));
        await db.SaveChangesAsync(ct);
        events.Changed(flow.Id);
        return flow.Id;
    }

    /// <summary>Renames a flow (the editor's name field); the name is the flow's, not a version's.</summary>
    public async Task RenameAsync(Guid flowId, string name, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "edit flows");
        name = ValidName(name);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await FindAsync(db, flowId, ct, tracked: true);
        if (flow.Name == name)
        {
            return;
        }

        if (await db.Set<Flow>().AnyAsync(f => f.Name == name && f.Id != flowId, ct))
        {
            throw PortalException.Invalid("name", "A flow with this name exists already.");
        }

        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "flow.renamed", $"Renamed flow '{flow.Name}' to '{name}'."));
        flow.Name = name;
        await db.SaveChangesAsync(ct);
    }

    public async Task<FlowDetail> GetAsync(Guid flowId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flows");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await FindAsync(db, flowId, ct);
        var versions = await db.Set<FlowVersion>().AsNoTracking().Where(v => v.FlowId == flowId).OrderByDescending(v => v.Number).ToListAsync(ct);
        var draft = versions.Single(v => v.Kind == FlowVersionKind.Draft);
        var deployed = versions.FirstOrDefault(v => v.Id == flow.DeployedVersionId);
        return new FlowDetail(flow.Id, flow.Name, flow.State, flow.DeployedVersionNumber, FlowGraph.FromJson(draft.Graph), draft.SavedAt,
            deployed is null || deployed.Graph != draft.Graph,
            versions.Where(v => v.Kind == FlowVersionKind.Deployed).Select(v => new FlowVersionRow(v.Number, v.SavedAt, v.SavedBy)).ToList(),
            Enum.GetValues<FlowEvent>().Where(e => FlowLifecycle.Allows(flow.State, e)).ToList());
    }

    /// <summary>Saves the draft (incomplete is fine: only Deploy insists) and returns what Deploy would say of it now.</summary>
    public async Task<FlowValidation> SaveDraftAsync(Guid flowId, FlowGraph graph, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "edit flows");
        var json = graph.ToJson();
        if (json.Length > FlowLimits.GraphJson || graph.Nodes.Count > FlowLimits.Nodes)
        {
            throw PortalException.Invalid("graph", $"A flow may have up to {FlowLimits.Nodes} nodes and {FlowLimits.GraphJson / 1024} KB of code and settings.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await FindAsync(db, flowId, ct, tracked: true);
        FlowLifecycle.Next(flow.State, FlowEvent.SaveDraft);
        var draft = await db.Set<FlowVersion>().SingleAsync(v => v.FlowId == flowId && v.Kind == FlowVersionKind.Draft, ct);
        draft.Graph = json;
        // The draft is the flow's: saving it changes the flow, at the instant the editor shows as "saved at".
        draft.SavedAt = flow.UpdatedAt = time.GetUtcNow();
        draft.SavedBy = currentUser.UserName;
        await db.SaveChangesAsync(ct);
        return await validator.ValidateAsync(graph, ct);
    }

    /// <summary>
    /// Validates the draft and makes a copy of it the running version. Errors refuse with a field
    /// error per node ("nodes.function-1"); warnings (an inactive destination) come back with the result.
    /// </summary>
    public async Task<DeployResult> DeployAsync(Guid flowId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "deploy flows");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await FindAsync(db, flowId, ct, tracked: true);
        var next = FlowLifecycle.Next(flow.State, FlowEvent.Deploy);
        var draft = await db.Set<FlowVersion>().AsNoTracking().SingleAsync(v => v.FlowId == flowId && v.Kind == FlowVersionKind.Draft, ct);
        var validation = await validator.ValidateAsync(FlowGraph.FromJson(draft.Graph), ct);
        if (!validation.IsValid)
        {
            var byField = validation.Errors.GroupBy(e => e.NodeId is null ? "graph" : $"nodes.{e.NodeId}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            throw new PortalException(PortalErrorKind.Validation,
                $"The flow cannot be deployed yet: {string.Join(" ", validation.Errors.Select(e => e.Message))}", byField);
        }

        var now = time.GetUtcNow();
        var number = await db.Set<FlowVersion>().Where(v => v.FlowId == flowId).MaxAsync(v => v.Number, ct) + 1;
        var version = new FlowVersion
        {
            Id = Guid.CreateVersion7(now), FlowId = flowId, Number = number, Kind = FlowVersionKind.Deployed,
            Graph = draft.Graph, SavedBy = currentUser.UserName, SavedAt = now,
        };
        db.Add(version);
        flow.DeployedVersionId = version.Id;
        flow.DeployedVersionNumber = number;
        flow.Enabled = next != FlowState.Disabled;
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "flow.deployed", $"Deployed version {number} of flow '{flow.Name}'."));
        await db.SaveChangesAsync(ct);
        events.Changed(flowId);
        return new DeployResult(number, validation.Warnings);
    }

    public Task EnableAsync(Guid flowId, CancellationToken ct = default) => SwitchAsync(flowId, FlowEvent.Enable, ct);

    public Task DisableAsync(Guid flowId, CancellationToken ct = default) => SwitchAsync(flowId, FlowEvent.Disable, ct);

    private async Task SwitchAsync(Guid flowId, FlowEvent happening, CancellationToken ct)
    {
        currentUser.Demand(PortalPermission.Operate, "switch flows on and off");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await FindAsync(db, flowId, ct, tracked: true);
        flow.Enabled = FlowLifecycle.Next(flow.State, happening) == FlowState.Deployed;
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, happening == FlowEvent.Enable ? "flow.enabled" : "flow.disabled",
            $"{(happening == FlowEvent.Enable ? "Enabled" : "Disabled")} flow '{flow.Name}'."));
        await db.SaveChangesAsync(ct);
        events.Changed(flowId);
    }

    /// <summary>
    /// Deletes the flow and its versions: it stops at once. Its runs stay in the history (under
    /// "(deleted)") until retention removes them, and messages it queued are still delivered.
    /// </summary>
    public async Task DeleteAsync(Guid flowId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "delete flows");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await FindAsync(db, flowId, ct, tracked: true);
        db.RemoveRange(await db.Set<FlowVersion>().Where(v => v.FlowId == flowId).ToListAsync(ct));
        db.Remove(flow);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "flow.deleted", $"Deleted flow '{flow.Name}'."));
        await db.SaveChangesAsync(ct);
        events.Changed(flowId);
    }

    /// <summary>Runs a function on a sample without deploying anything: output, logs and error, as a run would record them.</summary>
    public async Task<FunctionResult> TestFunctionAsync(string code, string sampleMessage, string? context = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "test functions");
        var message = ValidJson(sampleMessage, "sample", JsonValueKind.Object);
        var contextJson = context is null ? """{"flowName":"(test)","flowVersion":0}""" : ValidJson(context, "context", JsonValueKind.Object);
        return await sandbox.RunAsync(() =>
        {
            using var function = FlowFunction.TryCompile(code, sandbox.Limits, out var problem);
            return function?.Invoke(message, contextJson) ?? problem!;
        });
    }

    /// <summary>
    /// A real message to test with: the latest input this flow ran on from that source node, else a
    /// message made from the latest reading the source matches. Null when there is none yet.
    /// </summary>
    public async Task<string?> LatestInputAsync(Guid flowId, string sourceNodeId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flows");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await FindAsync(db, flowId, ct);
        var draft = FlowGraph.FromJson(await db.Set<FlowVersion>().Where(v => v.FlowId == flowId && v.Kind == FlowVersionKind.Draft).Select(v => v.Graph).SingleAsync(ct));
        if (draft.Node(sourceNodeId) is not { Kind: FlowNodeKind.Source, SourceRef: { } reference } source)
        {
            throw PortalException.NotFound("The source node");
        }

        var readings = db.Set<Reading>().AsNoTracking();
        var id = Guid.TryParse(reference, out var parsed) ? parsed : Guid.Empty;
        switch (source.Source)
        {
            case FlowSourceKind.Integration:
                readings = readings.Where(r => r.SourceIntegrationId == id);
                break;
            case FlowSourceKind.Device:
                var devicePath = "/devices/" + id;
                readings = readings.Where(r => r.ResourcePath.EndsWith(devicePath));
                break;
            case FlowSourceKind.Place:
                var places = await PlaceIndex.LoadAsync(db, ct);
                var subtree = places.Contains(id) ? places.Subtree(id) : [];
                var inPlaces = await db.Devices.Where(d => subtree.Contains(d.PlaceId)).Select(d => new { d.PlaceId, d.Id }).ToListAsync(ct);
                var placePaths = subtree.Select(ResourcePath.ForPlace).Concat(inPlaces.Select(d => ResourcePath.ForDevice(d.PlaceId, d.Id))).ToList();
                readings = readings.Where(r => placePaths.Contains(r.ResourcePath));
                break;
            default:
                var typeIds = db.DeviceTypes.Where(t => t.Key == reference).Select(t => t.Id);
                var ofType = await db.Devices.Where(d => typeIds.Contains(d.DeviceTypeId)).Select(d => new { d.PlaceId, d.Id }).ToListAsync(ct);
                var typePaths = ofType.Select(d => ResourcePath.ForDevice(d.PlaceId, d.Id)).ToList();
                readings = readings.Where(r => typePaths.Contains(r.ResourcePath));
                break;
        }

        var latest = await readings.OrderByDescending(r => r.TimestampTicks).FirstOrDefaultAsync(ct);
        if (latest is null)
        {
            return null;
        }

        var reading = new NewReading(latest.ResourcePath, latest.Metric, latest.Timestamp, latest.Value, latest.Unit);
        var resource = (await FlowInput.ResolveAsync(db, [latest.ResourcePath], ct)).GetValueOrDefault(latest.ResourcePath)
            ?? new ReadingResource(latest.ResourcePath, null, null, null, null, null, null, "");
        return FlowInput.Message(reading, resource, latest.SourceIntegrationId);
    }

    public async Task<PagedResult<FlowRunRow>> HistoryAsync(FlowHistoryQuery query, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flow history");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (page, total) = await db.Set<FlowRun>().AsNoTracking()
            .WhereIf(query.FlowId is not null, r => r.FlowId == query.FlowId)
            .WhereIf(query.Status is not null, r => r.Status == query.Status)
            .WhereIf(query.From is not null, r => r.StartedAt >= query.From)
            .WhereIf(query.To is not null, r => r.StartedAt <= query.To)
            .PageAsync(q => q.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id), query.Skip, query.Take, ct);
        var flowNames = await db.Set<Flow>().AsNoTracking().ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        return new PagedResult<FlowRunRow>(page.Select(r => Row(r, flowNames)).ToList(), total);
    }

    public async Task<FlowRunDetail> GetRunAsync(Guid runId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flow history");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Set<FlowRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct) ?? throw PortalException.NotFound("The run");
        var steps = await db.Set<FlowRunStep>().AsNoTracking().Where(s => s.RunId == runId).ToListAsync(ct);
        var flowNames = await db.Set<Flow>().AsNoTracking().Where(f => f.Id == run.FlowId).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        return new FlowRunDetail(Row(run, flowNames), run.Input, await StepViewsAsync(db, steps, ct));
    }

    /// <summary>The debug view: the last <paramref name="perNode"/> messages through each node of the flow, newest first.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<FlowStepView>>> DebugAsync(Guid flowId, int perNode = 5, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flow history");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var recentRuns = db.Set<FlowRun>().Where(r => r.FlowId == flowId).OrderByDescending(r => r.StartedAt).Take(50).Select(r => r.Id);
        var steps = await db.Set<FlowRunStep>().AsNoTracking().Where(s => recentRuns.Contains(s.RunId)).ToListAsync(ct);
        var views = await StepViewsAsync(db, steps, ct);
        return views.GroupBy(v => v.NodeId).ToDictionary(g => g.Key,
            g => (IReadOnlyList<FlowStepView>)g.OrderByDescending(v => v.At).ThenByDescending(v => v.Index).Take(Math.Clamp(perNode, 1, 50)).ToList());
    }

    /// <summary>The debug view of the sources: the flow's last <paramref name="count"/> runs with the input each started from, newest first.</summary>
    public async Task<IReadOnlyList<FlowDebugRun>> DebugRunsAsync(Guid flowId, int count = 5, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flow history");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<FlowRun>().AsNoTracking().Where(r => r.FlowId == flowId)
            .OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(Math.Clamp(count, 1, 50))
            .Select(r => new FlowDebugRun(r.Id, r.VersionNumber, r.Status, r.Input, r.Error, r.StartedAt))
            .ToListAsync(ct);
    }

    /// <summary>Flows whose draft or deployed version names the integration, for its detail page.</summary>
    public async Task<IReadOnlyList<FlowUse>> UsingIntegrationAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flows");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var text = integrationId.ToString();
        // A capability destination reaches this integration when an enabled rule for it names the integration, first or as fallback.
        var routedHere = await db.Set<RoutingRule>().AsNoTracking()
            .Where(r => r.Enabled && (r.IntegrationId == integrationId || r.FallbackIntegrationId == integrationId))
            .Select(r => r.Capability).Distinct().ToListAsync(ct);
        var flows = await db.Set<Flow>().AsNoTracking().ToDictionaryAsync(f => f.Id, ct);
        var candidates = await db.Set<FlowVersion>().AsNoTracking()
            .Where(v => v.Graph.Contains(text) || (routedHere.Count > 0 && v.Graph.Contains("\"capability\"")))
            .Where(v => v.Kind == FlowVersionKind.Draft || db.Set<Flow>().Any(f => f.DeployedVersionId == v.Id))
            .Select(v => new { v.FlowId, v.Graph }).ToListAsync(ct);
        return candidates
            .Select(c => (c.FlowId, Nodes: FlowGraph.FromJson(c.Graph).Nodes))
            .Select(c => (c.FlowId,
                Direct: c.Nodes.Any(n => n.IntegrationId == integrationId || (n.Source == FlowSourceKind.Integration && n.SourceRef == text)),
                Via: c.Nodes.Select(n => n.Capability).OfType<string>().Where(routedHere.Contains).ToList()))
            .Where(c => c.Direct || c.Via.Count > 0)
            .GroupBy(c => c.FlowId)
            .Select(g => (Flow: flows[g.Key], Via: g.Any(c => c.Direct) ? [] : g.SelectMany(c => c.Via).Distinct().Order(StringComparer.Ordinal).ToList()))
            .OrderBy(u => u.Flow.Name)
            .Select(u => new FlowUse(u.Flow.Id, u.Flow.Name, u.Flow.State, u.Via)).ToList();
    }

    private static async Task<List<FlowStepView>> StepViewsAsync(PortalDbContext db, List<FlowRunStep> steps, CancellationToken ct)
    {
        var messageIds = steps.Select(s => s.OutboxMessageId).OfType<Guid>().ToList();
        var messages = messageIds.Count == 0
            ? []
            : await db.Set<OutboxMessage>().AsNoTracking().Where(m => messageIds.Contains(m.Id))
                .ToDictionaryAsync(m => m.Id, m => (m.Id, m.Status, m.IdempotencyKey), ct);
        var reroutes = await ReroutesAsync(db, messages.Values.Select(m => m.IdempotencyKey).ToList(), ct);
        return steps.OrderBy(s => s.Kind).ThenBy(s => s.NodeId).ThenBy(s => s.Index)
            .Select(s =>
            {
                if (s.OutboxMessageId is not { } id || !messages.TryGetValue(id, out var message))
                {
                    return new FlowStepView(s.NodeId, s.Kind, s.Index, s.Input, s.Output, s.Logs, s.Error, s.Note, s.OutboxMessageId, null, s.At);
                }

                // A capability's message moved on to another integration: the step links the message that carries it now.
                var (moved, note) = reroutes.TryGetValue(message.IdempotencyKey ?? "", out var reroute) ? reroute : (null, null);
                var current = moved ?? (message.Id, message.Status);
                var notes = string.Join(' ', new[] { s.Note, note }.OfType<string>());
                return new FlowStepView(s.NodeId, s.Kind, s.Index, s.Input, s.Output, s.Logs, s.Error, notes.Length == 0 ? null : notes, current.Id, current.Status, s.At);
            })
            .ToList();
    }

    /// <summary>
    /// For capability destinations' first messages (an operation's first hop, decision 039), keyed by their key:
    /// the message of the operation's current hop and what happened since, when it was routed again or gave up.
    /// </summary>
    private static async Task<Dictionary<string, ((Guid Id, DeliveryStatus Status)? Current, string? Note)>> ReroutesAsync(
        PortalDbContext db, List<string?> keys, CancellationToken ct)
    {
        var operationIds = keys.Select(k => Operation.FromMessageKey(k)?.Id).OfType<string>().ToList();
        if (operationIds.Count == 0)
        {
            return [];
        }

        var operations = await db.Set<Operation>().AsNoTracking()
            .Where(o => operationIds.Contains(o.Id) && (o.Hop > 1 || o.Status == OperationStatus.Failed)).ToListAsync(ct);
        var currentKeys = operations.Select(o => Operation.MessageKey(o.Id, o.Hop)).ToList();
        var current = await db.Set<OutboxMessage>().AsNoTracking().Where(m => currentKeys.Contains(m.IdempotencyKey!))
            .ToDictionaryAsync(m => m.IdempotencyKey!, m => (m.Id, m.Status), ct);
        var integrationIds = operations.Select(o => o.IntegrationId).OfType<Guid>().ToList();
        var names = await db.Set<Integration>().IgnoreQueryFilters(["SoftDelete"]).AsNoTracking().Where(i => integrationIds.Contains(i.Id))
            .ToDictionaryAsync(i => i.Id, i => i.Name, ct);
        var result = new Dictionary<string, ((Guid, DeliveryStatus)?, string?)>();
        foreach (var operation in operations)
        {
            var first = Operation.MessageKey(operation.Id, 1);
            if (operation.Status == OperationStatus.Failed)
            {
                result[first] = (current.TryGetValue(Operation.MessageKey(operation.Id, operation.Hop), out var last) ? last : null,
                    Limits.Shorten($"Not delivered: {operation.Error}"));
            }
            else if (current.TryGetValue(Operation.MessageKey(operation.Id, operation.Hop), out var message))
            {
                var name = operation.IntegrationId is { } to ? names.GetValueOrDefault(to, "(deleted)") : "(none)";
                result[first] = (message, Limits.Shorten($"Re-routed to '{name}' after a final failure."));
            }
        }

        return result;
    }

    private static FlowRunRow Row(FlowRun r, Dictionary<Guid, string> flowNames) =>
        new(r.Id, r.FlowId, flowNames.GetValueOrDefault(r.FlowId, "(deleted)"), r.VersionNumber, r.Status, r.ResourcePath, r.ReadingAt,
            r.StartedAt, r.MessagesQueued, r.Error);

    private static async Task<Flow> FindAsync(PortalDbContext db, Guid flowId, CancellationToken ct, bool tracked = false)
    {
        var flows = tracked ? db.Set<Flow>() : db.Set<Flow>().AsNoTracking();
        return await flows.SingleOrDefaultAsync(f => f.Id == flowId, ct) ?? throw PortalException.NotFound("The flow");
    }

    /// <summary>Names of what flows refer to, for lists: integrations, devices, places, by id text.</summary>
    private static async Task<Dictionary<string, string>> NamesAsync(PortalDbContext db, CancellationToken ct)
    {
        var names = await db.Set<Integration>().AsNoTracking().Select(i => new { i.Id, i.Name }).ToDictionaryAsync(i => i.Id.ToString(), i => i.Name, ct);
        foreach (var device in await db.Devices.AsNoTracking().Select(d => new { d.Id, d.Name }).ToListAsync(ct))
        {
            names[device.Id.ToString()] = device.Name;
        }

        foreach (var place in await db.Places.AsNoTracking().Select(p => new { p.Id, p.Name }).ToListAsync(ct))
        {
            names[place.Id.ToString()] = place.Name;
        }

        return names;
    }

    private static string Describe(FlowNode node, Dictionary<string, string> names)
    {
        if (node.Label is { Length: > 0 } label)
        {
            return label;
        }

        if (node.Capability is { } capability)
        {
            return $"{capability} (routed)";
        }

        var reference = node.Kind == FlowNodeKind.Destination ? node.IntegrationId?.ToString() : node.SourceRef;
        var name = reference is not null && names.TryGetValue(reference, out var known) ? known : reference ?? "(not set)";
        return node.Source switch
        {
            FlowSourceKind.DeviceType => $"every {name}",
            FlowSourceKind.Place => $"under {name}",
            _ => name,
        };
    }

    private static string ValidName(string? name)
    {
        name = name?.Trim() ?? "";
        return name.Length is > 0 and <= FlowLimits.Name
            ? name
            : throw PortalException.Invalid("name", $"Enter a name of up to {FlowLimits.Name} characters.");
    }

    private static string ValidJson(string text, string field, JsonValueKind kind)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.ValueKind == kind ? text : throw PortalException.Invalid(field, "Enter a JSON object, { ... }.");
        }
        catch (JsonException e)
        {
            throw PortalException.Invalid(field, $"This is not valid JSON: {e.Message}");
        }
    }
}
