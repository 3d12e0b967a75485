using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>What the flows pages ask of <see cref="FlowService"/>, on a real SQLite file.</summary>
public class FlowServiceTests : IAsyncLifetime
{
    private FlowTestBed _bed = default!;
    private LoopbackReceiver _receiver = default!;

    public async ValueTask InitializeAsync()
    {
        _bed = await FlowTestBed.StartAsync();
        _receiver = await LoopbackReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task List_ShowsWhatEachFlowConnects_ItsRunsAndFailuresToday_AndA14DaySparkline()
    {
        var hook = await _bed.ActiveWebhookAsync(_receiver, "Ops hook");
        var flow = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, "function transform(m) { if (m.value > 5) throw new Error('too high'); return m; }", hook));
        await _bed.FlowsAsync(f => f.CreateAsync("Still a draft"));
        await _bed.ArriveAsync([_bed.Reading(1, minute: -24 * 60)], ct: TestContext.Current.CancellationToken);
        _bed.Harness.Clock.Advance(TimeSpan.FromDays(1));
        await _bed.ArriveAsync([_bed.Reading(2), _bed.Reading(9, minute: 15)], ct: TestContext.Current.CancellationToken);

        var list = await _bed.FlowsAsync(f => f.ListAsync());

        Assert.Equal(["Meters out", "Still a draft"], list.Select(f => f.Name));
        var row = list[0];
        Assert.Equal((FlowState.Deployed, 1), (row.State, row.DeployedVersion));
        Assert.Equal(["Main meter"], row.Sources);
        Assert.Equal(["Ops hook"], row.Destinations);
        Assert.Equal((2, 1), (row.RunsToday, row.FailuresToday));
        Assert.Equal(FlowService.SparklineDays, row.DailyRuns.Count);
        Assert.Equal([1, 2], row.DailyRuns.TakeLast(2));
        Assert.Equal(_bed.Harness.Clock.GetUtcNow(), row.LastRunAt);
        Assert.Equal((FlowState.Draft, 0), (list[1].State, list[1].RunsToday));
    }

    [Fact]
    public async Task TestFunction_RunsOnASample_WithoutDeploying()
    {
        var result = await _bed.FlowsAsync(f => f.TestFunctionAsync(FlowTestBed.Double, """{"value":2,"deviceName":"M"}"""));
        var broken = await _bed.FlowsAsync(f => f.TestFunctionAsync("function transform(m) {\n  nope();\n}", "{}"));
        var badSample = await Assert.ThrowsAsync<PortalException>(() => _bed.FlowsAsync(f => f.TestFunctionAsync(FlowTestBed.Double, "{ not json")));

        Assert.Equal(["""{"device":"M","wh":2000,"flow":"(test)"}"""], result.Messages);
        Assert.Equal(["kwh 2"], result.Logs);
        Assert.Matches("^line 2: .*nope", broken.ErrorText!);
        Assert.StartsWith("This is not valid JSON", Assert.Single(badSample.FieldErrors["sample"]), StringComparison.Ordinal);
        Assert.Empty(await _bed.OutboxAsync());
    }

    [Fact]
    public async Task LatestInput_IsMadeFromTheNewestReadingTheSourceMatches()
    {
        var flow = await _bed.FlowsAsync(f => f.CreateAsync("Draft"));
        await _bed.FlowsAsync(f => f.SaveDraftAsync(flow, FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, Guid.NewGuid())));
        Assert.Null(await _bed.FlowsAsync(f => f.LatestInputAsync(flow, "source-1")));

        await _bed.ArriveAsync([_bed.Reading(4), _bed.Reading(5, minute: 15), _bed.Reading(99, minute: 30, path: _bed.ThermostatPath)], ct: TestContext.Current.CancellationToken);
        var latest = await _bed.FlowsAsync(f => f.LatestInputAsync(flow, "source-1"));

        Assert.Contains("\"value\":5", latest, StringComparison.Ordinal);
        Assert.Contains("\"deviceName\":\"Main meter\"", latest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_FiltersByStatusAndTime_AndDebug_ShowsTheLastMessagesPerNode()
    {
        var hook = await _bed.ActiveWebhookAsync(_receiver, "Ops hook");
        var flow = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, "function transform(m) { return m.value > 0 ? { v: m.value } : null; }", hook));
        await _bed.ArriveAsync([_bed.Reading(1), _bed.Reading(-1, minute: 15)], ct: TestContext.Current.CancellationToken);
        _bed.Harness.Clock.Advance(TimeSpan.FromHours(2));
        await _bed.ArriveAsync([_bed.Reading(3, minute: 90)], ct: TestContext.Current.CancellationToken);

        var dropped = await _bed.HistoryAsync(flow, FlowRunStatus.Dropped);
        var recent = await _bed.FlowsAsync(f => f.HistoryAsync(new FlowHistoryQuery { FlowId = flow, From = _bed.Harness.Clock.GetUtcNow().AddMinutes(-1) }));
        var debug = await _bed.FlowsAsync(f => f.DebugAsync(flow));

        Assert.Equal(1, dropped.Total);
        Assert.Equal(1, recent.Total);
        Assert.Equal(3, debug["function-1"].Count);
        Assert.Equal("""[{"v":3}]""", debug["function-1"][0].Output);
        Assert.Equal(2, debug["destination-1"].Count);
    }

    [Fact]
    public async Task UsingIntegration_ListsFlowsThatSendToIt()
    {
        var hook = await _bed.ActiveWebhookAsync(_receiver, "Ops hook");
        await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, hook), "Sends to the hook");
        var other = await _bed.FlowsAsync(f => f.CreateAsync("Elsewhere"));
        await _bed.FlowsAsync(f => f.SaveDraftAsync(other, FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, Guid.NewGuid())));

        var uses = await _bed.FlowsAsync(f => f.UsingIntegrationAsync(hook));

        Assert.Equal(["Sends to the hook"], uses.Select(u => u.Name));
    }

    [Fact]
    public async Task Viewer_CanRead_ButNotChangeOrTest()
    {
        var viewerId = await _bed.Services.AddUserAsync(_bed.Harness.Tenant, "viewer@acme.test", PortalRoles.Viewer);
        await using var scope = _bed.Services.AsUser(_bed.Harness.Tenant.OrganizationId, viewerId, "viewer@acme.test", PortalRoles.Viewer);
        var flows = scope.ServiceProvider.GetRequiredService<FlowService>();

        Assert.Empty(await flows.ListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(PortalErrorKind.Forbidden, (await Assert.ThrowsAsync<PortalException>(() => flows.CreateAsync("Mine", TestContext.Current.CancellationToken))).Kind);
        Assert.Equal(PortalErrorKind.Forbidden, (await Assert.ThrowsAsync<PortalException>(() => flows.TestFunctionAsync(FlowTestBed.Double, "{}", ct: TestContext.Current.CancellationToken))).Kind);
    }

    [Fact]
    public async Task AnotherOrganizationsFlow_IsNotFound()
    {
        var flow = await _bed.FlowsAsync(f => f.CreateAsync("Ours"));
        var globex = await _bed.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        await using var scope = _bed.Services.AsAdmin(globex);
        var flows = scope.ServiceProvider.GetRequiredService<FlowService>();

        Assert.Empty(await flows.ListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(PortalErrorKind.NotFound, (await Assert.ThrowsAsync<PortalException>(() => flows.GetAsync(flow, TestContext.Current.CancellationToken))).Kind);
        Assert.Equal(PortalErrorKind.NotFound, (await Assert.ThrowsAsync<PortalException>(() => flows.DeployAsync(flow, TestContext.Current.CancellationToken))).Kind);
    }

    [Fact]
    public async Task Create_RefusesADuplicateOrEmptyName_NextToTheField()
    {
        await _bed.FlowsAsync(f => f.CreateAsync("Meters out"));

        var duplicate = await Assert.ThrowsAsync<PortalException>(() => _bed.FlowsAsync(f => f.CreateAsync(" Meters out ")));
        var empty = await Assert.ThrowsAsync<PortalException>(() => _bed.FlowsAsync(f => f.CreateAsync("  ")));

        Assert.Equal("A flow with this name exists already.", Assert.Single(duplicate.FieldErrors["name"]));
        Assert.True(empty.FieldErrors.ContainsKey("name"));
    }

    [Fact]
    public async Task Retention_DeletesRunsOlderThanTheDeliveryHistory()
    {
        var hook = await _bed.ActiveWebhookAsync(_receiver, "Ops hook");
        var flow = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, hook));
        await _bed.ArriveAsync([_bed.Reading(1)], ct: TestContext.Current.CancellationToken);
        _bed.Harness.Clock.Advance(TimeSpan.FromDays(31));
        await _bed.ArriveAsync([_bed.Reading(2)], ct: TestContext.Current.CancellationToken);

        var deleted = await ActivatorUtilities.CreateInstance<FlowRetentionJob>(_bed.Services).DeleteExpiredAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Equal(1, (await _bed.HistoryAsync(flow)).Total);
    }
}

[OnPostgreSQL]
public sealed class FlowServiceOnPostgreSQLTests : FlowServiceTests;
