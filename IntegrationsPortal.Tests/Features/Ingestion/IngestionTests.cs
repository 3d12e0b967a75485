using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;

namespace IntegrationsPortal.Tests.Features.Ingestion;

/// <summary>
/// Backfills through the real engine, services and SQLite file, against the fake utility-data
/// provider: mapping, idempotence, resume after a crash, rate limits on a fake clock, cancel,
/// refused credentials and malformed pages.
/// </summary>
public class IngestionTests : PortalServicesTest
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private FakeIngressProviders _fake = default!;
    private Guid _integration;
    private Guid _meter1;
    private Guid _meter2;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _fake = await FakeIngressProviders.StartAsync();
        await using var scope = Portal.Services.AsAdmin(Acme);
        var services = scope.ServiceProvider;
        _integration = await services.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = "utility-data",
            Name = "Meters",
            Properties = new() { ["base_url"] = _fake.BaseUri.ToString(), ["api_token"] = FakeIngressProviders.Token },
        });
        var places = services.GetRequiredService<PlaceService>();
        var devices = services.GetRequiredService<DeviceService>();
        var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Site" });
        _meter1 = await devices.CreateDeviceAsync(new DeviceInput { Name = "Main meter", PlaceId = site, DeviceType = "meter" });
        _meter2 = await devices.CreateDeviceAsync(new DeviceInput { Name = "Sub meter", PlaceId = site, DeviceType = "meter" });
        var mappings = services.GetRequiredService<ResourceMappingService>();
        await mappings.CreateAsync(_integration, new MappingInput { ExternalId = "M-1", ResourcePath = ResourcePath.ForDevice(site, _meter1) });
        await mappings.CreateAsync(_integration, new MappingInput { ExternalId = "M-22", ResourcePath = ResourcePath.ForDevice(site, _meter2) });
        await ActivateAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await _fake.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Backfill_WritesEveryIntervalOfEveryMappedMeter_AndReportsTheUnmappedOnes()
    {
        _fake.UnmappedMeter = "M-999";
        var run = await StartBackfillAsync(days: 2);
        var progressEvents = 0;
        Portal.Services.GetRequiredService<IngestionEvents>().RunChanged += id => Interlocked.Increment(ref progressEvents);

        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        var view = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Completed, view.Status);
        Assert.Equal((2, 2), (view.WindowsDone, view.WindowsTotal));
        Assert.Equal(2 * 2 * 96, view.ReadingsWritten);
        Assert.Equal(2 * 96, view.UnmappedReadings);
        Assert.Equal(["M-999"], view.UnmappedExternalIds);
        Assert.True(progressEvents >= 2 * 6, $"a live page hears of every page written; got {progressEvents} events");
        Assert.Equal(2 * 2 * 96, await ReadingCountAsync());
        var points = await SeriesAsync(_meter2, Start.AddHours(5), Start.AddHours(6));
        Assert.Equal(4, points.Count);
        Assert.Equal(FakeIngressProviders.Kwh("M-22", Start.AddHours(5).AddMinutes(15)), points[1].Value);
    }

    [Fact]
    public async Task Backfill_OfASubset_WritesOnlyThoseResources()
    {
        Guid run;
        await using (var scope = Portal.Services.AsAdmin(Acme))
        {
            var ingestion = scope.ServiceProvider.GetRequiredService<IngestionService>();
            var subset = new BackfillInput(Start, Start.AddDays(1), [$"devices/{_meter1}"]);
            Assert.Equal(1, (await ingestion.PreviewBackfillAsync(_integration, subset, TestContext.Current.CancellationToken)).Resources);
            run = await ingestion.StartBackfillAsync(_integration, subset, TestContext.Current.CancellationToken);
        }

        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        Assert.Equal(96, await ReadingCountAsync());
        Assert.Equal(96, (await SeriesAsync(_meter1, Start, Start.AddDays(1))).Count);
    }

    [Fact]
    public async Task Backfill_RunsTheFlowsThatAskForBackfills_OncePerReading_EvenWhenReadTwice()
    {
        Guid flow;
        await using (var scope = Portal.Services.AsAdmin(Acme))
        {
            var services = scope.ServiceProvider;
            var hook = await services.GetRequiredService<IntegrationService>().CreateAsync(IntegrationSeeds.Webhook(), TestContext.Current.CancellationToken);
            var flows = services.GetRequiredService<IntegrationsPortal.Features.Flows.FlowService>();
            flow = await flows.CreateAsync("Everything from Meters", TestContext.Current.CancellationToken);
            await flows.SaveDraftAsync(flow, new IntegrationsPortal.Features.Flows.FlowGraph
            {
                RunOnBackfills = true,
                Nodes =
                [
                    new() { Id = "source-1", Kind = IntegrationsPortal.Features.Flows.FlowNodeKind.Source, Source = IntegrationsPortal.Features.Flows.FlowSourceKind.Integration, SourceRef = _integration.ToString() },
                    new() { Id = "destination-1", Kind = IntegrationsPortal.Features.Flows.FlowNodeKind.Destination, IntegrationId = hook },
                ],
                Edges = [new("source-1", "destination-1")],
            }, TestContext.Current.CancellationToken);
            await flows.DeployAsync(flow, TestContext.Current.CancellationToken);
        }

        await RunEngineAsync(await StartBackfillAsync(days: 1), ct: TestContext.Current.CancellationToken);
        await RunEngineAsync(await StartBackfillAsync(days: 1), ct: TestContext.Current.CancellationToken);

        await using var check = Portal.Services.AsAdmin(Acme);
        var history = await check.ServiceProvider.GetRequiredService<IntegrationsPortal.Features.Flows.FlowService>()
            .HistoryAsync(new IntegrationsPortal.Features.Flows.FlowHistoryQuery { FlowId = flow }, TestContext.Current.CancellationToken);
        Assert.Equal(2 * 96, history.Total);
    }

    [Fact]
    public async Task SameWindowTwice_LeavesOneCopyOfEachReading_AndTheSecondRunCountsNoneAsNew()
    {
        var first = await StartBackfillAsync(days: 1);
        await RunEngineAsync(first, ct: TestContext.Current.CancellationToken);
        var second = await StartBackfillAsync(days: 1);
        await RunEngineAsync(second, ct: TestContext.Current.CancellationToken);

        Assert.Equal(2 * 96, await ReadingCountAsync());
        Assert.Equal((2 * 96, 0), ((await RunAsync(first)).ReadingsWritten, (await RunAsync(second)).ReadingsWritten));
    }

    [Fact]
    public async Task CrashMidRun_ResumesFromTheLastPage_AndEndsWithEveryReadingOnce()
    {
        var run = await StartBackfillAsync(days: 3);
        using var crash = new CancellationTokenSource();
        // The "process dies" during the 4th provider request: the token stops the engine mid-window.
        StopAtRequest(_fake.Requests + 4, crash);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunEngineAsync(run, ct: crash.Token));
        var halfway = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Running, halfway.Status);
        Assert.True(halfway.ReadingsWritten > 0 && halfway.ReadingsWritten < 3 * 2 * 96);

        var requestsBeforeResume = _fake.Requests;
        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        var done = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Completed, done.Status);
        Assert.Equal(3 * 2 * 96, await ReadingCountAsync());
        // The page read again after the "crash" is not counted twice: the counter is distinct readings.
        Assert.Equal(3 * 2 * 96, done.ReadingsWritten);
        // 192 readings a day at 50 a page: 4 pages a day, 12 in all; the resume did not start over.
        Assert.True(_fake.Requests - requestsBeforeResume < 12, $"resume made {_fake.Requests - requestsBeforeResume} requests");
    }

    [Fact]
    public async Task PortalStoppedMidBackfill_TheScheduleSweepQueuesItAgain_AndItResumes()
    {
        var run = await StartBackfillAsync(days: 2);
        using var stop = new CancellationTokenSource();
        StopAtRequest(_fake.Requests + 3, stop);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunEngineAsync(run, ct: stop.Token));
        await RestartedPortalSweepsAsync(run);
        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);
        Assert.Equal(IngestionRunStatus.Completed, (await RunAsync(run)).Status);
        Assert.Equal(2 * 2 * 96, await ReadingCountAsync());
    }

    [Fact]
    public async Task PullLeftRunningByAStoppedNode_IsEndedAsInterrupted_ButAPullANodeStillRuns_IsLeftRunning()
    {
        var ct = TestContext.Current.CancellationToken;
        var scheduler = await Portal.SchedulerAsync();
        var now = DateTimeOffset.UtcNow;
        // An hour ago a node started a pull and died; a minute ago the next firing of the pull job started one that runs now.
        var cutOff = await RunningPullAsync(createdAt: now.AddHours(-1));
        var current = await RunningPullAsync(createdAt: now.AddMinutes(-1));
        await RecordExecutingAsync(IngestionScheduler.PullJobKey(_integration), firedAt: now.AddMinutes(-1).AddSeconds(-1));

        await ActivatorUtilities.CreateInstance<IngestionScheduleJob>(Portal.Services).SweepAsync(scheduler, ct);

        var ended = await RunAsync(cutOff);
        Assert.Equal(IngestionRunStatus.Failed, ended.Status);
        Assert.Equal(IngestionScheduleJob.InterruptedPull, ended.Error);
        Assert.NotNull(ended.FinishedAt);
        Assert.Equal(IngestionRunStatus.Running, (await RunAsync(current)).Status);
    }

    [Fact]
    public async Task PullSchedule_FollowsTheCronWhenOneIsSet_ElseTheInterval()
    {
        var scheduler = await Portal.SchedulerAsync();
        var sweep = ActivatorUtilities.CreateInstance<IngestionScheduleJob>(Portal.Services);
        await sweep.SweepAsync(scheduler, TestContext.Current.CancellationToken);
        var byInterval = Assert.Single(await scheduler.GetTriggersOfJob(IngestionScheduler.PullJobKey(_integration), TestContext.Current.CancellationToken));
        Assert.Equal(TimeSpan.FromMinutes(60), Assert.IsAssignableFrom<ISimpleTrigger>(byInterval).RepeatInterval);

        await using (var scope = Portal.Services.AsAdmin(Acme))
        {
            var invalid = await Assert.ThrowsAsync<PortalException>(() => scope.ServiceProvider.GetRequiredService<IntegrationService>().UpdateAsync(_integration,
                new UpdateIntegrationInput { Name = "Meters", Properties = new() { ["schedule_cron"] = "every day" } }, TestContext.Current.CancellationToken));
            Assert.Contains("schedule_cron", invalid.FieldErrors.Keys);
            await scope.ServiceProvider.GetRequiredService<IntegrationService>().UpdateAsync(_integration,
                new UpdateIntegrationInput { Name = "Meters", Properties = new() { ["schedule_cron"] = "0 0 6 * * ?" } }, TestContext.Current.CancellationToken);
        }

        await ActivateAsync();
        await sweep.SweepAsync(scheduler, TestContext.Current.CancellationToken);

        var byCron = Assert.Single(await scheduler.GetTriggersOfJob(IngestionScheduler.PullJobKey(_integration), TestContext.Current.CancellationToken));
        Assert.Equal("0 0 6 * * ?", Assert.IsAssignableFrom<ICronTrigger>(byCron).CronExpressionString);
    }

    [Fact]
    public async Task RateLimited_WaitsOnTheClock_5ThenTenSeconds_ThenFinishes()
    {
        _fake.RateLimitNext = 2;
        var clock = new ManualTimeProvider();
        var run = await StartBackfillAsync(days: 1);

        var running = RunEngineAsync(run, time: clock, TestContext.Current.CancellationToken);
        await WaitForTimerAsync(clock, TimeSpan.FromSeconds(5));
        Assert.False(running.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));
        await WaitForTimerAsync(clock, TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        await running;

        Assert.Equal(IngestionRunStatus.Completed, (await RunAsync(run)).Status);
        Assert.Equal(2 * 96, await ReadingCountAsync());
    }

    [Fact]
    public async Task History_ShowsEachRequestOfARun_WithTheRateLimitAndTheWaitThatFollowed()
    {
        _fake.RateLimitNext = 1;
        var clock = new ManualTimeProvider();
        var run = await StartBackfillAsync(days: 1);

        var running = RunEngineAsync(run, time: clock, TestContext.Current.CancellationToken);
        await WaitForTimerAsync(clock, TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(5));
        await running;

        var history = await HistoryAsync();
        var limited = Assert.Single(history, r => r.StatusCode == 429);
        Assert.Equal("Rate limited; waited 5 s before trying again.", limited.Outcome);
        Assert.Equal(IngestionKind.Backfill, limited.Kind);
        var pages = history.Where(r => r.StatusCode == 200).ToList();
        Assert.Equal(2 * 96, pages.Sum(r => r.Readings));
        Assert.All(pages, page => Assert.True(page.At > limited.At, "the pages came after the wait"));
        Assert.Equal(history.OrderByDescending(r => r.At).ToList(), history); // newest first
    }

    [Fact]
    public async Task PortalStopping_DuringABackfill_EndsItsJobAtOnce_AndTheRunResumesAfterTheRestart()
    {
        var scheduler = await Portal.SchedulerAsync();
        // Only this backfill's job runs: no queued verification or pull among the provider's requests.
        await scheduler.Clear(TestContext.Current.CancellationToken);
        var run = await StartBackfillAsync(days: 3);
        var requestsAtStart = _fake.Requests;
        var held = new TaskCompletionSource();
        var reached = new TaskCompletionSource();
        // The provider is slow to answer the first day's third page (and anything after it).
        _fake.OnRequest = async count =>
        {
            if (count > requestsAtStart + 2)
            {
                reached.TrySetResult();
                await held.Task;
            }
        };
        try
        {
            await scheduler.Start(TestContext.Current.CancellationToken);
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            // What SIGTERM does first: the host signals that it is stopping (then Quartz waits for its jobs).
            // The job ends while the provider still holds the page: the portal does not wait for it.
            Portal.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            await Eventually.TrueAsync(async () => !await scheduler.Exists(IngestionScheduler.BackfillJobKey(run), TestContext.Current.CancellationToken),
                "the backfill's job to end after the portal began to stop");

            await scheduler.Standby(TestContext.Current.CancellationToken);
        }
        finally
        {
            held.TrySetResult();
        }

        var stopped = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Running, stopped.Status); // not failed: the schedule sweep queues it again
        Assert.Null(stopped.Error);
        Assert.Equal(2 * FakeIngressProviders.PageSize, stopped.ReadingsWritten);

        _fake.OnRequest = null;
        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);
        Assert.Equal(IngestionRunStatus.Completed, (await RunAsync(run)).Status);
        Assert.Equal(3 * 2 * 96, await ReadingCountAsync());
    }

    [Fact]
    public async Task Cancel_StopsBeforeTheNextWindow()
    {
        var run = await StartBackfillAsync(days: 3);
        await MarkRunningAsync(run);
        await using (var scope = Portal.Services.AsAdmin(Acme))
        {
            await scope.ServiceProvider.GetRequiredService<IngestionService>().CancelAsync(run, TestContext.Current.CancellationToken);
        }

        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        var view = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Cancelled, view.Status);
        Assert.Equal(0, view.WindowsDone);
        Assert.Equal(0, await ReadingCountAsync());
    }

    [Fact]
    public async Task QueuedBackfillCancelled_StaysCancelled_WhenItsJobStartsLate_AndFetchesNothing()
    {
        var run = await StartBackfillAsync(days: 2);
        await CancelAsync(run);
        var requestsBefore = _fake.Requests;

        // The job was picked up before the cancel and reaches the engine after it.
        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        var view = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Cancelled, view.Status);
        Assert.Equal((0, 0L), (view.WindowsDone, view.ReadingsWritten));
        Assert.Equal(requestsBefore, _fake.Requests);
        Assert.Equal(0, await ReadingCountAsync());
        var again = await Assert.ThrowsAsync<PortalException>(() => CancelAsync(run));
        Assert.Equal((PortalErrorKind.Conflict, "The run is already cancelled."), (again.Kind, again.Message));
    }

    [Fact]
    public async Task Cancel_OfACompletedBackfill_IsRefusedClearly_AndItStaysCompleted()
    {
        var run = await StartBackfillAsync(days: 1);
        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        var refused = await Assert.ThrowsAsync<PortalException>(() => CancelAsync(run));

        Assert.Equal((PortalErrorKind.Conflict, "The run is already completed."), (refused.Kind, refused.Message));
        var view = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Completed, view.Status);
        Assert.NotNull(view.FinishedAt);
    }

    [Fact]
    public async Task BackfillCancellingWhenThePortalStopped_IsQueuedAgain_EndsCancelled_AndNoLongerBlocksANewBackfill()
    {
        var run = await StartBackfillAsync(days: 2);
        await MarkRunningAsync(run);
        await CancelAsync(run); // cancelling; the portal stops before the job gets to the next window
        await RestartedPortalSweepsAsync(run);
        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);
        Assert.Equal(IngestionRunStatus.Cancelled, (await RunAsync(run)).Status);
        Assert.Equal(0, await ReadingCountAsync());
        var next = await StartBackfillAsync(days: 1);
        Assert.Equal(IngestionRunStatus.Queued, (await RunAsync(next)).Status);
    }

    [Fact]
    public async Task CancelDuringAWindow_FinishesThatWindow_ThenStops_AndKeepsItsProgress()
    {
        var run = await StartBackfillAsync(days: 3);
        var requestsAtStart = _fake.Requests;
        // The operator presses Cancel while the first day's second page is being fetched.
        _fake.OnRequest = async count =>
        {
            if (count == requestsAtStart + 2)
            {
                await using var scope = Portal.Services.AsAdmin(Acme);
                await scope.ServiceProvider.GetRequiredService<IngestionService>().CancelAsync(run);
            }
        };

        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        var view = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Cancelled, view.Status);
        Assert.Equal(1, view.WindowsDone);
        Assert.Equal(2 * 96, view.ReadingsWritten);
        Assert.Equal(2 * 96, await ReadingCountAsync());
        Assert.Equal(4, _fake.Requests - requestsAtStart); // the rest of that day's pages, then no more
    }

    [Fact]
    public async Task RefusedToken_FailsTheRun_AndPutsTheIntegrationInError()
    {
        var run = await StartBackfillAsync(days: 1);
        await using (var scope = Portal.Services.AsAdmin(Acme))
        {
            await scope.ServiceProvider.GetRequiredService<IntegrationService>()
                .ReplaceSecretsAsync(_integration, new Dictionary<string, string> { ["api_token"] = "revoked-token-9999" }, TestContext.Current.CancellationToken);
        }

        await ActivateAsync();
        await IngestionJobRunner.RunAsync(Portal.Services.GetRequiredService<IServiceScopeFactory>(), Acme.OrganizationId, run, TestContext.Current.CancellationToken);

        Assert.Equal(IngestionRunStatus.Failed, (await RunAsync(run)).Status);
        await using var check = Portal.Services.AsAdmin(Acme);
        var detail = await check.ServiceProvider.GetRequiredService<IntegrationQueries>().GetAsync(_integration, TestContext.Current.CancellationToken);
        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Contains("refused the credentials (401)", detail.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("revoked-token", detail.LastError, StringComparison.Ordinal);
        var refused = Assert.Single(await HistoryAsync());
        Assert.Equal(401, refused.StatusCode);
        Assert.Contains("refused the credentials (401)", refused.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weather_ForAMappedPlaceWithoutCoordinates_SaysSoOnTheRun_AndFetchesTheOthers()
    {
        Guid weather, run;
        await using (var scope = Portal.Services.AsAdmin(Acme))
        {
            var services = scope.ServiceProvider;
            weather = await services.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "open-meteo", Name = "Weather", Properties = new() { ["base_url"] = _fake.BaseUri.ToString(), ["variables"] = "temperature_2m" },
            }, TestContext.Current.CancellationToken);
            var places = services.GetRequiredService<PlaceService>();
            var campus = await places.CreatePlaceAsync(new PlaceInput { Name = "North Campus" }, TestContext.Current.CancellationToken);
            var depot = await places.CreatePlaceAsync(new PlaceInput { Name = "Depot", Latitude = 52.52, Longitude = 13.41 }, TestContext.Current.CancellationToken);
            var mappings = services.GetRequiredService<ResourceMappingService>();
            await mappings.CreateAsync(weather, new MappingInput { ExternalId = "NC-1", ResourcePath = ResourcePath.ForPlace(campus) }, TestContext.Current.CancellationToken);
            await mappings.CreateAsync(weather, new MappingInput { ExternalId = "DEP-1", ResourcePath = ResourcePath.ForPlace(depot) }, TestContext.Current.CancellationToken);
            await UpdateAsync<Integration>(i => i.Id == weather, i => i.Status = IntegrationStatus.Active);
            run = await services.GetRequiredService<IngestionService>().StartBackfillAsync(weather, new BackfillInput(Start, Start.AddDays(1)), TestContext.Current.CancellationToken);
        }

        // The fake answers only with its bearer token, which the real Open-Meteo does not ask for.
        await using var check = Portal.Services.AsAdmin(Acme);
        var configured = new ConfiguredIntegration(weather, IntegrationsPortal.Features.Catalog.CatalogService.Get("open-meteo"),
            new Dictionary<string, string> { ["base_url"] = _fake.BaseUri.ToString(), ["variables"] = "temperature_2m" },
            new Dictionary<string, string> { ["api_token"] = FakeIngressProviders.Token }, 1, IntegrationStatus.Active);
        await check.ServiceProvider.GetRequiredService<IngestionEngine>().RunAsync(run, configured, TestContext.Current.CancellationToken);

        var view = (await check.ServiceProvider.GetRequiredService<IngestionService>().ListRunsAsync(weather, ct: TestContext.Current.CancellationToken)).Single();
        Assert.True(view.Status == IngestionRunStatus.Completed, $"{view.Status}: {view.Error}");
        Assert.Equal("No weather for 1 mapped place(s) without coordinates (NC-1): add their latitude and longitude under Places.", view.Note);
        Assert.Equal(24, view.ReadingsWritten);
    }

    [Fact]
    public async Task PullNow_QueuesAPullAtOnce_AndIsRefusedForAnInactiveIntegration()
    {
        var scheduler = await Portal.SchedulerAsync();
        await using var scope = Portal.Services.AsAdmin(Acme);
        var ingestion = scope.ServiceProvider.GetRequiredService<IngestionService>();

        await ingestion.PullNowAsync(_integration, TestContext.Current.CancellationToken);

        var trigger = Assert.Single(await scheduler.GetTriggersOfJob(IngestionScheduler.PullJobKey(_integration), TestContext.Current.CancellationToken));
        Assert.True(trigger.NextFireTimeUtc <= DateTimeOffset.UtcNow, "the pull is due now, not at the next interval");

        await UpdateAsync<Integration>(i => i.Id == _integration, i => i.Status = IntegrationStatus.Inactive);
        var refused = await Assert.ThrowsAsync<PortalException>(() => ingestion.PullNowAsync(_integration, TestContext.Current.CancellationToken));
        Assert.Equal(PortalErrorKind.Conflict, refused.Kind);
    }

    [Fact]
    public async Task FailedBackfill_OfAnIntegrationInError_IsNotResumed_AndSaysWhy()
    {
        var run = await StartBackfillAsync(days: 1);
        await UpdateAsync<IngestionRun>(r => r.Id == run, r => r.Status = IngestionRunStatus.Failed);
        await UpdateAsync<Integration>(i => i.Id == _integration, i => i.Status = IntegrationStatus.Error);

        await using var scope = Portal.Services.AsAdmin(Acme);
        var refused = await Assert.ThrowsAsync<PortalException>(() => scope.ServiceProvider.GetRequiredService<IngestionService>().ResumeAsync(run, TestContext.Current.CancellationToken));

        Assert.Equal(PortalErrorKind.Conflict, refused.Kind);
        Assert.StartsWith("Resume once the integration is active again; it is ", refused.Message, StringComparison.Ordinal);
        Assert.Equal(IngestionRunStatus.Failed, (await RunAsync(run)).Status);
    }

    [Fact]
    public async Task IntegrationChange_SchedulesThePullAtOnce_AndAnIntegrationInErrorHasNone()
    {
        var scheduler = await Portal.SchedulerAsync();
        var integrations = Portal.Services.GetRequiredService<IntegrationEvents>();
        using var follower = ActivatorUtilities.CreateInstance<PullScheduleFollower>(Portal.Services);
        await follower.StartAsync(TestContext.Current.CancellationToken);
        var pullChanged = new TaskCompletionSource();
        Portal.Services.GetRequiredService<IngestionEvents>().RunChanged += id => pullChanged.TrySetResult();

        integrations.Publish(_integration); // as verification does when it activates the integration
        await pullChanged.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Single(await scheduler.GetTriggersOfJob(IngestionScheduler.PullJobKey(_integration), TestContext.Current.CancellationToken));
        Assert.NotNull(await Portal.Services.GetRequiredService<IngestionScheduler>().NextPullAsync(_integration, TestContext.Current.CancellationToken));

        await UpdateAsync<Integration>(i => i.Id == _integration, i => i.Status = IntegrationStatus.Error);
        integrations.Publish(_integration);
        await follower.SweepAsync(); // waits for the sweep the event started, then sweeps once more

        Assert.Empty(await scheduler.GetTriggersOfJob(IngestionScheduler.PullJobKey(_integration), TestContext.Current.CancellationToken));
        await follower.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task MalformedPage_FailsTheRunClearly_AndWritesNothing()
    {
        _fake.Malformed = true;
        var run = await StartBackfillAsync(days: 1);

        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        var view = await RunAsync(run);
        Assert.Equal(IngestionRunStatus.Failed, view.Status);
        Assert.Contains("timestamp", view.Error, StringComparison.Ordinal);
        Assert.Equal(0, await ReadingCountAsync());
    }

    [Fact]
    public async Task Backfill_OfAnInactiveIntegration_IsRefused()
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await scope.ServiceProvider.GetRequiredService<IntegrationService>().DisableAsync(_integration, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<PortalException>(() => scope.ServiceProvider.GetRequiredService<IngestionService>()
            .StartBackfillAsync(_integration, new BackfillInput(Start, Start.AddDays(1)), TestContext.Current.CancellationToken));

        Assert.Equal(PortalErrorKind.Conflict, error.Kind);
    }

    /// <summary>Cancels <paramref name="stop"/> when the provider receives request number <paramref name="request"/>, before it answers.</summary>
    private void StopAtRequest(int request, CancellationTokenSource stop) =>
        _fake.OnRequest = async count =>
        {
            if (count == request)
            {
                await stop.CancelAsync();
            }
        };

    [Fact]
    public async Task ProviderAnsweringPastTheRequestedEnd_StoresNoReadingLaterThanTheRun_SoTheChartEndsAtItsEnd()
    {
        // The last window of a pull ends now; a provider sending the rest of the day sends readings from the future.
        _fake.IntervalsPastEnd = TimeSpan.FromHours(6);
        var run = await StartBackfillAsync(days: 1);

        await RunEngineAsync(run, ct: TestContext.Current.CancellationToken);

        Assert.Equal(2 * 96, (await RunAsync(run)).ReadingsWritten);
        Assert.Equal(2 * 96, await ReadingCountAsync());
        await using var scope = Portal.Services.AsAdmin(Acme);
        var latest = await scope.ServiceProvider.GetRequiredService<ReadingQueries>().SeriesOfAsync(_integration, TestContext.Current.CancellationToken);
        Assert.All(latest, s => Assert.Equal(Start.AddDays(1).AddMinutes(-15), s.Latest));
    }

    /// <summary>
    /// A portal restarted after a graceful stop: the backfill's job is gone (Quartz does not recover it),
    /// and the schedule sweep must queue it again.
    /// </summary>
    private async Task RestartedPortalSweepsAsync(Guid run)
    {
        var scheduler = await Portal.SchedulerAsync();
        await scheduler.DeleteJob(IngestionScheduler.BackfillJobKey(run), TestContext.Current.CancellationToken);

        await ActivatorUtilities.CreateInstance<IngestionScheduleJob>(Portal.Services).SweepAsync(scheduler, TestContext.Current.CancellationToken);

        Assert.True(await scheduler.Exists(IngestionScheduler.BackfillJobKey(run), TestContext.Current.CancellationToken));
    }

    private async Task CancelAsync(Guid run)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await scope.ServiceProvider.GetRequiredService<IngestionService>().CancelAsync(run, TestContext.Current.CancellationToken);
    }

    private async Task<Guid> StartBackfillAsync(int days)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        return await scope.ServiceProvider.GetRequiredService<IngestionService>().StartBackfillAsync(_integration, new BackfillInput(Start, Start.AddDays(days)));
    }

    /// <summary>What the backfill job does, run here directly (the scheduler is paused in these tests).</summary>
    private async Task RunEngineAsync(Guid run, TimeProvider? time = null, CancellationToken ct = default)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        var services = scope.ServiceProvider;
        var configuration = await services.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(_integration, ct);
        var engine = time is null
            ? services.GetRequiredService<IngestionEngine>()
            : new IngestionEngine(services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), services.GetRequiredService<IntegrationsPortal.Features.Catalog.TypeCode<IntegrationsPortal.Features.Ingestion.Providers.IIngressProvider>>(),
                services.GetRequiredService<IMappedResources>(), services.GetRequiredService<ReadingWriter>(), services.GetServices<IReadingsObserver>(), services.GetRequiredService<IngestionEvents>(),
                services.GetRequiredService<IntegrationSecrets>(), services.GetRequiredService<IntegrationStatusRecorder>(), time,
                services.GetRequiredService<IngestionTelemetry>(), NullLogger<IngestionEngine>.Instance);
        await engine.RunAsync(run, configuration, ct);
    }

    private async Task<IngestionRunView> RunAsync(Guid run)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        return (await scope.ServiceProvider.GetRequiredService<IngestionService>().ListRunsAsync(_integration)).Single(r => r.Id == run);
    }

    private async Task<IReadOnlyList<IngestionRequestView>> HistoryAsync()
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        return await scope.ServiceProvider.GetRequiredService<IngestionService>().ListRequestsAsync(_integration);
    }

    private async Task<int> ReadingCountAsync()
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<Reading>().CountAsync();
    }

    private async Task<IReadOnlyList<ReadingPoint>> SeriesAsync(Guid device, DateTimeOffset from, DateTimeOffset to)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        return await scope.ServiceProvider.GetRequiredService<ReadingQueries>().SeriesAsync($"devices/{device}", "energy_kwh", from, to);
    }

    /// <summary>A scheduled pull as its job leaves it once started: queued by the service, then running.</summary>
    private async Task<Guid> RunningPullAsync(DateTimeOffset createdAt)
    {
        Guid run;
        await using (var scope = Portal.Services.AsAdmin(Acme))
        {
            run = (await scope.ServiceProvider.GetRequiredService<IngestionService>().QueuePullAsync(_integration, TestContext.Current.CancellationToken))!.Value;
        }

        await UpdateAsync<IngestionRun>(r => r.Id == run, r => (r.Status, r.CreatedAt, r.StartedAt) = (IngestionRunStatus.Running, createdAt, createdAt));
        return run;
    }

    /// <summary>What Quartz writes in its store while a node runs a job (qrtz_fired_triggers), here for a node the test stands for.</summary>
    private async Task RecordExecutingAsync(JobKey job, DateTimeOffset firedAt)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        var scheduler = await Portal.SchedulerAsync();
        var entry = Guid.NewGuid().ToString("N");
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO qrtz_fired_triggers (sched_name, entry_id, trigger_name, trigger_group, instance_name, fired_time, sched_time, priority, state, job_name, job_group, is_nonconcurrent, requests_recovery)
            VALUES ({scheduler.SchedulerName}, {entry}, {entry}, {job.Group}, {"other-node"}, {firedAt.UtcTicks}, {firedAt.UtcTicks}, {5}, {"EXECUTING"}, {job.Name}, {job.Group}, {true}, {false})
            """, TestContext.Current.CancellationToken);
    }

    /// <summary>Verification has its own tests; here the integration is simply made active.</summary>
    private async Task ActivateAsync() => await UpdateAsync<Integration>(i => i.Id == _integration, i => i.Status = IntegrationStatus.Active);

    private Task MarkRunningAsync(Guid run) => UpdateAsync<IngestionRun>(r => r.Id == run, r => r.Status = IngestionRunStatus.Running);

    private async Task UpdateAsync<T>(System.Linq.Expressions.Expression<Func<T, bool>> which, Action<T> change)
        where T : class
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        change(await db.Set<T>().SingleAsync(which));
        await db.SaveChangesAsync();
    }

    private static Task WaitForTimerAsync(ManualTimeProvider clock, TimeSpan due) => Eventually.ReadAsync(
        () => Task.FromResult(clock.PendingTimers()), pending => pending.Contains(due), $"a {due} timer", TimeSpan.FromSeconds(10));
}

/// <summary>Pulls and backfills storing their readings on PostgreSQL (issue 16).</summary>
[OnPostgreSQL]
public sealed class IngestionOnPostgreSQLTests : IngestionTests;
