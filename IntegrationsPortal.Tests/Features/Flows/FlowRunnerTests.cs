using System.Text.Json;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>Readings through deployed flows into the real outbox, dispatcher and loopback receivers.</summary>
public sealed class FlowRunnerTests : IAsyncLifetime
{
    private FlowTestBed _bed = default!;
    private LoopbackReceiver _primary = default!;
    private LoopbackReceiver _backup = default!;

    public async ValueTask InitializeAsync()
    {
        _bed = await FlowTestBed.StartAsync();
        _primary = await LoopbackReceiver.StartAsync();
        _backup = await LoopbackReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _backup.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task Reading_GoesThroughTheFunction_ToBothDestinations_AndTheHistoryLinksTheDeliveries()
    {
        var primary = await _bed.ActiveWebhookAsync(_primary, "Primary");
        var backup = await _bed.ActiveWebhookAsync(_backup, "Backup");
        var flow = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, primary, backup));

        await _bed.ArriveAsync([_bed.Reading(1.5)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var expected = """{"device":"Main meter","wh":1500,"flow":"Meters out"}""";
        Assert.Equal(expected, Assert.Single(_primary.Requests).Body);
        Assert.Equal(expected, Assert.Single(_backup.Requests).Body);
        var run = Assert.Single((await _bed.HistoryAsync(flow)).Items);
        Assert.Equal((FlowRunStatus.Completed, 1, 2), (run.Status, run.Version, run.MessagesQueued));
        var detail = await _bed.FlowsAsync(f => f.GetRunAsync(run.Id));
        Assert.Equal(1.5, JsonDocument.Parse(detail.Input).RootElement.GetProperty("value").GetDouble());
        var function = Assert.Single(detail.Steps, s => s.Kind == FlowStepKind.Function);
        Assert.Equal($"[{expected}]", function.Output);
        Assert.Equal("kwh 1.5", function.Logs);
        var deliveries = detail.Steps.Where(s => s.Kind == FlowStepKind.Destination).ToList();
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Delivered, d.DeliveryStatus));
        var outbox = await _bed.OutboxAsync();
        Assert.Equal(outbox.Select(m => m.Id).Order(), deliveries.Select(d => d.OutboxMessageId!.Value).Order());
        Assert.All(outbox, m => Assert.StartsWith($"flow/{run.Id:N}/destination-", m.IdempotencyKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FanOut_QueuesOneMessagePerOutput_AndNull_DropsTheReading()
    {
        var primary = await _bed.ActiveWebhookAsync(_primary, "Primary");
        const string code = "function transform(m) { return m.value < 0 ? null : [{ part: 1, v: m.value }, { part: 2, v: m.value }]; }";
        var flow = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, code, primary));

        await _bed.ArriveAsync([_bed.Reading(7), _bed.Reading(-1, minute: 15)], ct: TestContext.Current.CancellationToken);

        var outbox = await _bed.OutboxAsync();
        Assert.Equal(["""{"part":1,"v":7}""", """{"part":2,"v":7}"""], outbox.Select(m => m.Payload));
        Assert.Equal([1, 0], outbox.Select(m => int.Parse(m.IdempotencyKey![^1..], System.Globalization.CultureInfo.InvariantCulture)).Reverse());
        var runs = (await _bed.HistoryAsync(flow)).Items;
        Assert.Equal([FlowRunStatus.Completed, FlowRunStatus.Dropped], runs.OrderBy(r => r.ReadingAt).Select(r => r.Status));
    }

    [Fact]
    public async Task FailingFunction_FailsTheRun_KeepsTheInput_AndQueuesNothing()
    {
        var primary = await _bed.ActiveWebhookAsync(_primary, "Primary");
        var flow = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, "function transform(m) {\n  return m.missing.field;\n}", primary));

        await _bed.ArriveAsync([_bed.Reading(3)], ct: TestContext.Current.CancellationToken);

        Assert.Empty(await _bed.OutboxAsync());
        var run = Assert.Single((await _bed.HistoryAsync(flow, FlowRunStatus.Failed)).Items);
        Assert.Matches("^To watt-hours \\(function-1\\): line 2: .*field", run.Error!);
        var detail = await _bed.FlowsAsync(f => f.GetRunAsync(run.Id));
        Assert.Contains("\"value\":3", detail.Input, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PendingVerifyDestination_ReceivesNothing_AndDeploySaysSo()
    {
        var active = await _bed.ActiveWebhookAsync(_primary, "Primary");
        var pending = await _bed.Harness.CreateAsync("webhook", new() { ["url"] = new Uri(_backup.Url, "in").ToString(), ["auth"] = "NONE" }, "Not yet verified");
        var flow = await _bed.FlowsAsync(f => f.CreateAsync("Meters out"));
        await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, active, pending)));

        var deployed = await _bed.FlowsAsync(f => f.DeployAsync(flow));
        await _bed.ArriveAsync([_bed.Reading(2)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var warning = Assert.Single(deployed.Warnings);
        Assert.Equal(("destination-2", "'Not yet verified' is pending_verify: it receives nothing from this flow until it is active."), (warning.NodeId, warning.Message));
        Assert.Single(_primary.Requests);
        Assert.Empty(_backup.Requests);
        var outbox = Assert.Single(await _bed.OutboxAsync());
        Assert.Equal(active, outbox.IntegrationId);
        var run = Assert.Single((await _bed.HistoryAsync(flow)).Items);
        var held = Assert.Single((await _bed.FlowsAsync(f => f.GetRunAsync(run.Id))).Steps, s => s.NodeId == "destination-2");
        Assert.Null(held.OutboxMessageId);
        Assert.Contains("pending_verify", held.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DestinationParameters_RenderTheirTemplates_IntoTheOutboxMessage()
    {
        var primary = await _bed.ActiveWebhookAsync(_primary, "Primary");
        var graph = FlowTestBed.MeterThroughFunction(_bed.Meter, "function transform(m) { return { id: 'm-42', site: 'Hall 1', wh: m.value * 1000 }; }", primary);
        graph.Nodes.Single(n => n.Id == "destination-1").Parameters = new() { ["path_suffix"] = "/meters/{{id}}", ["headers"] = "X-Site: {{site}}" };
        await _bed.DeployAsync(graph);

        await _bed.ArriveAsync([_bed.Reading(1)], ct: TestContext.Current.CancellationToken);

        var message = Assert.Single(await _bed.OutboxAsync());
        Assert.Equal("/meters/m-42", message.Parameters["path_suffix"]);
        Assert.Equal("""{"X-Site":"Hall 1"}""", message.Parameters["headers"]);
    }

    [Fact]
    public async Task Deploy_RefusesAnInvalidFlow_WithAnErrorOnEachNode()
    {
        var graph = FlowTestBed.MeterThroughFunction(Guid.NewGuid(), "function transform(m) { return { a: 1 ", Guid.NewGuid());
        var flow = await _bed.FlowsAsync(f => f.CreateAsync("Broken"));
        var draftCheck = await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, graph));

        var refusal = await Assert.ThrowsAsync<PortalException>(() => _bed.FlowsAsync(f => f.DeployAsync(flow)));

        Assert.False(draftCheck.IsValid);
        Assert.Equal(PortalErrorKind.Validation, refusal.Kind);
        Assert.Equal("The device was not found; pick another.", Assert.Single(refusal.FieldErrors["nodes.source-1"]));
        Assert.StartsWith("The function does not compile: line 1", Assert.Single(refusal.FieldErrors["nodes.function-1"]), StringComparison.Ordinal);
        Assert.Contains("was not found", Assert.Single(refusal.FieldErrors["nodes.destination-1"]), StringComparison.Ordinal);
        Assert.Equal(FlowState.Draft, (await _bed.FlowsAsync(f => f.GetAsync(flow))).State);
    }

    [Fact]
    public async Task EditingTheDraft_ChangesNothingRunning_UntilDeployed_AndRunsRecordTheirVersion()
    {
        var primary = await _bed.ActiveWebhookAsync(_primary, "Primary");
        var graph = FlowTestBed.MeterThroughFunction(_bed.Meter, "function transform(m) { return { v: 1 }; }", primary);
        var flow = await _bed.DeployAsync(graph);
        graph.Nodes.Single(n => n.Id == "function-1").Code = "function transform(m) { return { v: 2 }; }";
        await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, graph));

        await _bed.ArriveAsync([_bed.Reading(1)], ct: TestContext.Current.CancellationToken);
        var detail = await _bed.FlowsAsync(f => f.GetAsync(flow));
        await _bed.FlowsAsync(f => f.DeployAsync(flow));
        await _bed.ArriveAsync([_bed.Reading(1, minute: 15)], ct: TestContext.Current.CancellationToken);

        Assert.True(detail.DraftDiffersFromDeployed);
        Assert.Equal(["""{"v":1}""", """{"v":2}"""], (await _bed.OutboxAsync()).Select(m => m.Payload));
        Assert.Equal([1, 2], (await _bed.HistoryAsync(flow)).Items.OrderBy(r => r.ReadingAt).Select(r => r.Version));
    }

    [Fact]
    public async Task DisabledFlow_DoesNotRun_AndBackfills_RunOnlyWhenTheFlowSaysSo()
    {
        var primary = await _bed.ActiveWebhookAsync(_primary, "Primary");
        var graph = FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, primary);
        var flow = await _bed.DeployAsync(graph);

        await _bed.ArriveAsync([_bed.Reading(1)], IngestionKind.Backfill, TestContext.Current.CancellationToken);
        Assert.Empty(await _bed.OutboxAsync());

        graph.RunOnBackfills = true;
        await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, graph));
        await _bed.FlowsAsync(f => f.DeployAsync(flow));
        await _bed.ArriveAsync([_bed.Reading(2)], IngestionKind.Backfill, TestContext.Current.CancellationToken);
        Assert.Single(await _bed.OutboxAsync());

        await _bed.FlowsAsync(f => f.DisableAsync(flow));
        await _bed.ArriveAsync([_bed.Reading(3)], ct: TestContext.Current.CancellationToken);
        Assert.Single(await _bed.OutboxAsync());
        Assert.Equal(FlowState.Disabled, (await _bed.FlowsAsync(f => f.GetAsync(flow))).State);
    }

    [Fact]
    public async Task Sources_MatchByDeviceTypePlaceSubtreeAndIngressIntegration()
    {
        var primary = await _bed.ActiveWebhookAsync(_primary, "Primary");
        async Task<int> RunsFor(FlowSourceKind kind, string reference, string name)
        {
            var graph = FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, primary);
            graph.Nodes[0].Source = kind;
            graph.Nodes[0].SourceRef = reference;
            var flow = await _bed.DeployAsync(graph, name);
            await _bed.ArriveAsync([_bed.Reading(1, path: _bed.MeterPath), _bed.Reading(20, path: _bed.ThermostatPath)]);
            await _bed.FlowsAsync(f => f.DisableAsync(flow));
            return (await _bed.HistoryAsync(flow)).Total;
        }

        Assert.Equal(1, await RunsFor(FlowSourceKind.DeviceType, "thermostat", "By type"));
        Assert.Equal(1, await RunsFor(FlowSourceKind.Place, _bed.Hall.ToString(), "Under the hall"));
        Assert.Equal(2, await RunsFor(FlowSourceKind.Place, _bed.Site.ToString(), "Under the site"));
        Assert.Equal(2, await RunsFor(FlowSourceKind.Integration, _bed.Ingress.ToString(), "Everything from Meters"));
    }

    [Fact]
    public async Task CrashAfterQueuing_ThenRestartAndReadAgain_QueuesNothingTwice()
    {
        var primary = await _bed.ActiveWebhookAsync(_primary, "Primary");
        var backup = await _bed.ActiveWebhookAsync(_backup, "Backup");
        var flow = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, primary, backup));
        var readings = new[] { _bed.Reading(1), _bed.Reading(2, minute: 15) };
        using var crash = new CancellationTokenSource();
        // The process "dies" as soon as the first destination's messages are in the outbox, before the second's and before the runs are recorded.
        _bed.Services.GetRequiredService<DeliveryEvents>().Changed += _ => crash.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _bed.ArriveAsync(readings, ct: crash.Token));
        var queuedBeforeRestart = await _bed.OutboxAsync();
        Assert.Equal(2, queuedBeforeRestart.Count);
        Assert.Equal(0, (await _bed.HistoryAsync(flow)).Total);

        await _bed.Harness.RestartAsync();
        await _bed.ArriveAsync(readings, ct: TestContext.Current.CancellationToken); // the ingestion run reads the unsaved page again
        await _bed.ArriveAsync(readings, ct: TestContext.Current.CancellationToken); // and a later pull's lookback once more

        var outbox = await _bed.OutboxAsync();
        Assert.Equal(4, outbox.Count);
        Assert.Equal(4, outbox.Select(m => m.IdempotencyKey).Distinct().Count());
        Assert.Subset(outbox.Select(m => m.Id).ToHashSet(), queuedBeforeRestart.Select(m => m.Id).ToHashSet());
        var runs = (await _bed.HistoryAsync(flow)).Items;
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal((FlowRunStatus.Completed, 2), (r.Status, r.MessagesQueued)));
        await _bed.Harness.DispatchAsync();
        Assert.Equal(2, _primary.Requests.Count);
        Assert.Equal(2, _backup.Requests.Count);
    }

    [Fact]
    public async Task LookingUpAPagesRecordedRuns_SearchesTheirKeyRange_NotEveryRunOfTheOrganization()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await _bed.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = FlowRunner.RecordedRunsOnSqlite
            .Replace("{0}", "'0'", StringComparison.Ordinal).Replace("{1}", "'F'", StringComparison.Ordinal).Replace("{2}", "'A'", StringComparison.Ordinal);
        var plan = await QueryPlan.ExplainAsync(command, sqlite: true, ct);

        // The organization's index would visit every run recorded so far, for every page of readings.
        Assert.Contains("USING INDEX sqlite_autoindex_FlowRun_1 (Id>? AND Id<?)", Assert.Single(plan.Split('\n')), StringComparison.Ordinal);
    }
}
