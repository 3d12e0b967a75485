using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// A receiver that never answers holds only its own share of the dispatcher: other messages go out and
/// are recorded while it hangs. Ordered by what happened (events, the receiver's own counters), not by
/// timing, so a loaded machine only makes it slower, never wrong.
/// </summary>
public sealed class SlowReceiverTests
{
    /// <summary>A loopback receiver whose answers wait until the test lets them go, counting the requests it holds.</summary>
    private sealed class HangingReceiver : IAsyncDisposable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _arrived = new(0);
        private int _holding;
        private int _mostHeld;

        private HangingReceiver(LoopbackReceiver receiver) => Receiver = receiver;

        public LoopbackReceiver Receiver { get; }

        public int Holding => Volatile.Read(ref _holding);

        public int MostHeldAtOnce => Volatile.Read(ref _mostHeld);

        /// <summary>Hangs requests <paramref name="hangs"/> picks (every one by default); answers the rest at once.</summary>
        public static async Task<HangingReceiver> StartAsync(Func<ReceivedRequest, bool>? hangs = null)
        {
            var hanging = new HangingReceiver(await LoopbackReceiver.StartAsync());
            hanging.Receiver.Respond = async (context, request) =>
            {
                if (hangs?.Invoke(request) ?? true)
                {
                    var now = Interlocked.Increment(ref hanging._holding);
                    InterlockedMax(ref hanging._mostHeld, now);
                    hanging._arrived.Release();
                    await hanging._release.Task.WaitAsync(context.RequestAborted);
                    Interlocked.Decrement(ref hanging._holding);
                }

                await context.Response.WriteAsync("{}");
            };
            return hanging;
        }

        public void Release() => _release.TrySetResult();

        /// <summary>Completes once <paramref name="count"/> requests have reached the receiver and are held.</summary>
        public async Task ArrivedAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                await _arrived.WaitAsync(TimeSpan.FromSeconds(25), TestContext.Current.CancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Release();
            await Receiver.DisposeAsync();
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    /// <summary>Completes when every one of <paramref name="ids"/> has been recorded as delivered (the dispatcher publishes after the write).</summary>
    private static Task WhenDeliveredAsync(DeliveryHarness harness, IReadOnlyCollection<Guid> ids)
    {
        var events = harness.Services.GetRequiredService<DeliveryEvents>();
        var waiting = new HashSet<Guid>(ids);
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        events.Changed += change =>
        {
            lock (waiting)
            {
                if (change.Status == DeliveryStatus.Delivered && waiting.Remove(change.MessageId) && waiting.Count == 0)
                {
                    all.TrySetResult();
                }
            }
        };
        return all.Task;
    }

    private static Task<IReadOnlyList<Guid>> EnqueueAsync(DeliveryHarness harness, Guid integrationId, params string[] payloads) =>
        harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().EnqueueAsync(integrationId, "meter.reading", payloads));

    [Fact]
    public async Task HangingReceiver_HoldsOnlyItsShare_AnotherIntegrationIsDeliveredMeanwhile()
    {
        await using var hanging = await HangingReceiver.StartAsync();
        await using var healthy = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync(settings: new() { ["Portal:Delivery:MaxInFlightPerIntegration"] = "2" });
        var stuck = await harness.CreateAsync("webhook", new() { ["url"] = hanging.Receiver.Url.ToString() }, "Hanging receiver");
        var fine = await harness.CreateAsync("webhook", new() { ["url"] = healthy.Url.ToString() }, "Healthy receiver");
        // The hanging receiver's messages are older, so they are first in line.
        var stuckIds = await EnqueueAsync(harness, stuck, [.. Enumerable.Range(0, 6).Select(i => $$"""{"stuck":{{i}}}""")]);
        var fineIds = await EnqueueAsync(harness, fine, """{"fine":1}""", """{"fine":2}""", """{"fine":3}""");
        var delivered = WhenDeliveredAsync(harness, fineIds);

        var run = harness.DispatchAsync();
        await delivered.WaitAsync(TimeSpan.FromSeconds(25), TestContext.Current.CancellationToken);

        // Recorded as delivered while the other receiver still holds its requests, and only its share of them
        // (the second of its two sends may reach it just after the healthy ones are recorded).
        await hanging.ArrivedAsync(2);
        Assert.Equal(2, hanging.Holding);
        Assert.Equal(2, hanging.MostHeldAtOnce);
        Assert.Equal(3, healthy.Requests.Count);
        foreach (var id in stuckIds)
        {
            Assert.Empty((await harness.DetailAsync(id)).Attempts);
        }

        hanging.Release();
        Assert.Equal(9, await run);
        Assert.All(await Task.WhenAll(stuckIds.Select(harness.DetailAsync)), d => Assert.Equal(DeliveryStatus.Delivered, d.Message.Status));
        Assert.Equal(2, hanging.MostHeldAtOnce);
    }

    [Fact]
    public async Task OneSendHangs_TheBatchsOtherResultsAreRecordedMeanwhile()
    {
        await using var receiver = await HangingReceiver.StartAsync(request => request.Body.Contains("hang", StringComparison.Ordinal));
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Receiver.Url.ToString() });
        var ids = await EnqueueAsync(harness, id, """{"hang":true}""", """{"n":1}""", """{"n":2}""", """{"n":3}""");
        var others = ids.Skip(1).ToList();
        var recorded = WhenDeliveredAsync(harness, others);

        var run = harness.DispatchAsync();
        await recorded.WaitAsync(TimeSpan.FromSeconds(25), TestContext.Current.CancellationToken);

        // A crash now would send again only the hanging message: the others' results are on disk.
        await receiver.ArrivedAsync(1);
        Assert.Equal(1, receiver.Holding);
        foreach (var other in others)
        {
            var detail = await harness.DetailAsync(other);
            Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
            Assert.Single(detail.Attempts);
        }

        var hung = await harness.DetailAsync(ids[0]);
        Assert.NotEqual(DeliveryStatus.Delivered, hung.Message.Status);
        Assert.Empty(hung.Attempts);

        receiver.Release();
        Assert.Equal(4, await run);
        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(ids[0])).Message.Status);
    }
}
