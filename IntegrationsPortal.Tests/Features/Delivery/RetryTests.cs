using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Http;

namespace IntegrationsPortal.Tests.Features.Delivery;

public class RetryTests
{
    [Fact]
    public async Task Failing_Receiver_IsRetriedOnTheDefaultScheduleThenGivenUp()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, _) => { context.Response.StatusCode = 500; return Task.CompletedTask; };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var messageId = await harness.EnqueueAsync(id);

        var waits = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            await harness.DispatchAsync();
            Assert.Equal(attempt, receiver.Requests.Count);
            var detail = await harness.DetailAsync(messageId);
            if (detail.Message.NextAttemptAt is { } next)
            {
                var wait = next - harness.Clock.GetUtcNow();
                waits.Add(wait);
                // Not a moment early: nothing is sent before the time comes.
                harness.Clock.Advance(wait - TimeSpan.FromSeconds(1));
                Assert.Equal(0, await harness.DispatchAsync());
                harness.Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        Assert.Equal(RetryPolicy.DefaultDelays, waits);
        var final = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Dead, final.Message.Status);
        Assert.Equal(8, final.Attempts.Count);
        Assert.All(final.Attempts, a => Assert.Equal(500, a.StatusCode));
        Assert.Equal(Enumerable.Range(1, 8), final.Attempts.Select(a => a.AttemptNumber));
    }

    [Fact]
    public async Task RetryNow_SendsAMessageWaitingForItsRetryAtOnce_AndTheRowShowsDurationAndNextAttempt()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var answers = 0;
        receiver.Respond = (context, _) =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref answers) == 1 ? 500 : 200;
            return Task.CompletedTask;
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync();

        var row = Assert.Single((await harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().ListAsync(new DeliveryQuery { IntegrationId = id }))).Items);
        Assert.True(row.WaitsForRetry);
        Assert.True(row.NextAttemptAt > harness.Clock.GetUtcNow());
        Assert.NotNull(row.LastDurationMs);

        // No waiting for the schedule: the clock stays where it is.
        await harness.AsAdminAsync(async sp => { await sp.GetRequiredService<DeliveryService>().RetryNowAsync(messageId); return true; });
        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.Equal(2, receiver.Requests.Count);
        var refused = await Assert.ThrowsAsync<PortalException>(() =>
            harness.AsAdminAsync(async sp => { await sp.GetRequiredService<DeliveryService>().RetryNowAsync(messageId); return true; }));
        Assert.Equal(PortalErrorKind.Conflict, refused.Kind);
    }

    [Fact]
    public void Jitter_StaysWithinTwentyPercent()
    {
        var failed = DeliveryOutcome.Fail(FailureKind.Retry, "status", "500");
        Assert.Equal(TimeSpan.FromMinutes(4), RetryPolicy.Default.DelayAfter(2, failed, new FixedRandom(0)));
        Assert.Equal(TimeSpan.FromMinutes(6), RetryPolicy.Default.DelayAfter(2, failed, new FixedRandom(1)));
        Assert.Null(RetryPolicy.Default.DelayAfter(8, failed, new FixedRandom()));
    }

    [Fact]
    public void Throttled_WaitsAMinuteAtLeastAndHonoursRetryAfterUpToTwiceTheSchedule()
    {
        var random = new FixedRandom();
        Assert.Equal(TimeSpan.FromSeconds(60), RetryPolicy.Default.DelayAfter(1, Throttled(null), random));
        Assert.Equal(TimeSpan.FromSeconds(60), RetryPolicy.Default.DelayAfter(1, Throttled(TimeSpan.FromHours(1)), random));
        Assert.Equal(TimeSpan.FromMinutes(40), RetryPolicy.Default.DelayAfter(3, Throttled(TimeSpan.FromMinutes(40)), random));
        Assert.Equal(TimeSpan.FromMinutes(60), RetryPolicy.Default.DelayAfter(3, Throttled(TimeSpan.FromHours(5)), random));

        static DeliveryOutcome Throttled(TimeSpan? retryAfter) => DeliveryOutcome.Fail(FailureKind.Throttled, "status", "429") with { RetryAfter = retryAfter };
    }

    [Fact]
    public async Task TooManyRequests_WithRetryAfter_WaitsWhatTheReceiverAsks()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, _) =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "1500";
            return Task.CompletedTask;
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var messageId = await harness.EnqueueAsync(id);

        await harness.DispatchAsync();
        harness.Clock.Advance(TimeSpan.FromSeconds(60));
        await harness.DispatchAsync(); // attempt 2: scheduled 5 min, asked 25 min, honoured up to 10 min

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(TimeSpan.FromMinutes(10), detail.Message.NextAttemptAt - harness.Clock.GetUtcNow());
        Assert.Equal([429, 429], detail.Attempts.Select(a => a.StatusCode!.Value));
    }

    [Fact]
    public async Task StoppedBanner_ListsWhatDeliveriesStopped_ByCause_NotByTheWordsOfTheError()
    {
        await using var harness = await DeliveryHarness.StartAsync();
        var gone = await harness.CreateAsync("webhook", new() { ["url"] = "https://gone.example/hook" }, "Gone receiver");
        var refused = await harness.CreateAsync("webhook", new() { ["url"] = "https://refused.example/hook" }, "Refused receiver");
        await harness.AsAdminAsync(async sp =>
        {
            var recorder = sp.GetRequiredService<IntegrationStatusRecorder>();
            // Stopped by a 410, in words that do not start with the dispatcher's usual ones.
            Assert.True(await recorder.RecordProblemAsync(gone, LifecycleEvent.DeliveryGone, "The receiver said it is gone for good.", TestContext.Current.CancellationToken));
            // A failed verification whose receiver happens to answer with those words: not a stop.
            await using var db = await sp.GetRequiredService<IDbContextFactory<IntegrationsPortal.Infrastructure.Data.PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
            var generation = await db.Set<Integration>().Where(i => i.Id == refused).Select(i => i.VerificationGeneration).SingleAsync(TestContext.Current.CancellationToken);
            return await recorder.RecordVerificationAsync(refused, generation,
                new IntegrationsPortal.Features.Integrations.Verification.VerificationResult(false, false, $"{DeliveryService.StoppedPrefix} by the receiver: sign-up required."), TestContext.Current.CancellationToken);
        });
        Assert.Equal(IntegrationStatus.Error, (await harness.IntegrationAsync(refused)).Status);

        var alerts = await harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().AlertsAsync(TestContext.Current.CancellationToken));

        Assert.Equal([gone], alerts.Select(a => a.IntegrationId));
    }

    [Fact]
    public async Task Gone_StopsRetryingAndPutsTheIntegrationInError()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, _) => { context.Response.StatusCode = 410; return Task.CompletedTask; };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var messageId = await harness.EnqueueAsync(id);

        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Dead, detail.Message.Status);
        Assert.Null(detail.Message.NextAttemptAt);
        var integration = await harness.IntegrationAsync(id);
        Assert.Equal(IntegrationStatus.Error, integration.Status);
        Assert.Contains("410", integration.LastError, StringComparison.Ordinal);
        var alerts = await harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().AlertsAsync());
        Assert.Equal(id, Assert.Single(alerts).IntegrationId);
    }

    [Fact]
    public async Task SlowReceiver_PastTheTimeout_IsAThrottledRetry()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = async (context, _) => await Task.Delay(TimeSpan.FromSeconds(4), context.RequestAborted).ContinueWith(_ => { });
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("http", new() { ["url"] = receiver.Url.ToString(), ["timeout_seconds"] = "1" });
        var messageId = await harness.EnqueueAsync(id);

        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Failed, detail.Message.Status);
        Assert.Equal("timeout", Assert.Single(detail.Attempts).ErrorClass);
        Assert.Equal(TimeSpan.FromSeconds(60), detail.Message.NextAttemptAt - harness.Clock.GetUtcNow());
    }

    [Fact]
    public async Task Restart_InTheMiddleOfRetries_DeliversOnceLater()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = (context, _) =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 503 : 200;
            return Task.CompletedTask;
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync();
        Assert.Equal(DeliveryStatus.Failed, (await harness.DetailAsync(messageId)).Message.Status);

        await harness.RestartAsync();
        Assert.Equal(0, await harness.DispatchAsync()); // not due yet
        harness.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await harness.DispatchAsync());
        harness.Clock.Advance(TimeSpan.FromHours(48));
        Assert.Equal(0, await harness.DispatchAsync());

        var requests = receiver.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(messageId.ToString(), r.Headers["webhook-id"]));
        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.Equal([false, true], detail.Attempts.Select(a => a.Succeeded));
    }

    [Fact]
    public async Task StoppedMidSend_TheMessageGoesAgainAfterTheRestart_WithTheSameId()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var firstArrived = new TaskCompletionSource();
        var seenIds = new System.Collections.Concurrent.ConcurrentQueue<string>();
        receiver.Respond = async (context, _) =>
        {
            seenIds.Enqueue(context.Request.Headers["webhook-id"].ToString());
            if (firstArrived.TrySetResult())
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted); // the portal stops before the answer
            }

            await context.Response.WriteAsync("{}");
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var messageId = await harness.EnqueueAsync(id);

        // The host stopping cancels the dispatch job mid-send: nothing about the attempt is written.
        using var stopping = new CancellationTokenSource();
        var run = harness.Services.GetRequiredService<DeliveryDispatcher>().RunDueAsync(stopping.Token);
        await firstArrived.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await harness.RestartAsync();

        Assert.Equal(1, await harness.DispatchAsync());
        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.Single(detail.Attempts);
        // Twice at the receiver, with one id, so it can drop the repeat.
        Assert.Equal([messageId.ToString(), messageId.ToString()], seenIds);
    }

    [Fact]
    public async Task FailedManualResend_PutsTheMessageBackOnItsRetrySchedule()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, _) => { context.Response.StatusCode = 500; return Task.CompletedTask; };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync(); // automatic attempt 1 fails: the next is due in about 5 s

        await harness.AsAdminAsync(async sp => { await sp.GetRequiredService<DeliveryService>().ResendAsync(messageId); return 0; });
        await harness.DispatchAsync(); // the operator's resend fails too

        var afterResend = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Failed, afterResend.Message.Status);
        var retryAt = Assert.NotNull(afterResend.Message.NextAttemptAt);
        Assert.InRange(retryAt - harness.Clock.GetUtcNow(), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
        Assert.Equal([DeliveryTrigger.Automatic, DeliveryTrigger.ManualResend], afterResend.Attempts.Select(a => a.Trigger));

        receiver.Respond = (context, _) => context.Response.WriteAsync("ok");
        harness.Clock.Advance(TimeSpan.FromSeconds(7));
        await harness.DispatchAsync();
        var delivered = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, delivered.Message.Status);
        Assert.Equal([DeliveryTrigger.Automatic, DeliveryTrigger.ManualResend, DeliveryTrigger.Automatic], delivered.Attempts.Select(a => a.Trigger));
    }

    [Fact]
    public async Task ManualResend_DoesNotUseUpTheAutomaticBudget()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, _) => { context.Response.StatusCode = 500; return Task.CompletedTask; };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("http", new() { ["url"] = receiver.Url.ToString(), ["retry_strategy"] = "NONE" });
        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync();
        Assert.Equal(DeliveryStatus.Dead, (await harness.DetailAsync(messageId)).Message.Status);

        receiver.Respond = (context, _) => context.Response.WriteAsync("ok");
        var resent = await harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().RecoverFailedAsync(harness.Clock.GetUtcNow() - TimeSpan.FromHours(1)));
        Assert.Equal(1, resent);
        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.Equal([DeliveryTrigger.Automatic, DeliveryTrigger.ManualResend], detail.Attempts.Select(a => a.Trigger));
        Assert.Equal([1, 2], detail.Attempts.Select(a => a.AttemptNumber));
    }

    [Fact]
    public async Task ConsecutiveFailures_OverTheSpan_PutTheIntegrationInError()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, _) => { context.Response.StatusCode = 500; return Task.CompletedTask; };
        await using var harness = await DeliveryHarness.StartAsync(settings: new()
        {
            ["Portal:Delivery:FailureThreshold"] = "3", ["Portal:Delivery:FailureSpan"] = "01:00:00",
        });
        var id = await harness.CreateAsync("http", new() { ["url"] = receiver.Url.ToString(), ["retry_strategy"] = "NONE" });

        // Three failures within minutes: enough of them, but not for long enough.
        for (var i = 0; i < 3; i++)
        {
            await harness.EnqueueAsync(id);
            await harness.DispatchAsync();
            Assert.NotEqual(IntegrationStatus.Error, (await harness.IntegrationAsync(id)).Status);
            harness.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        harness.Clock.Advance(TimeSpan.FromHours(1));
        await harness.EnqueueAsync(id);
        await harness.DispatchAsync();
        var integration = await harness.IntegrationAsync(id);
        Assert.Equal(IntegrationStatus.Error, integration.Status);
        Assert.StartsWith(DeliveryService.StoppedPrefix, integration.LastError, StringComparison.Ordinal);
    }
}

/// <summary>The outbox's retries, lanes and give-ups on PostgreSQL.</summary>
[OnPostgreSQL]
public sealed class RetryOnPostgreSQLTests : RetryTests;
