using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// Several portal nodes on one PostgreSQL database deliver from one outbox (docs/decisions/045): each
/// node's dispatcher claims what it sends, so no message goes out twice at once, an ordered lane stays
/// in sequence across nodes, and the claims of a node that died are taken over when their lease ends.
/// The nodes are two portal service providers in the test process on the same database, their
/// dispatchers run by hand at the same time.
/// </summary>
[OnPostgreSQL]
public sealed class DeliveryAcrossNodesOnPostgreSQLTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoNodes_2000Messages_EachDeliveredOnceBothNodesSendAndTheOrderedLaneArrivesInSequence()
    {
        const int perIntegration = 450;
        const int inOrder = 200;
        const int total = 4 * perIntegration + inOrder;
        await using var receiver = await LoopbackReceiver.StartAsync();
        var orderedArrivals = new ConcurrentQueue<string>();
        receiver.Respond = async (context, request) =>
        {
            if (request.Path == "/ordered")
            {
                // Noted before answering: the next message of the lane may only leave once this one is answered.
                orderedArrivals.Enqueue(request.Body);
            }

            await context.Response.WriteAsync("{}");
        };
        // Small batches, so the nodes' claims interleave many times over.
        await using var nodeA = await DeliveryHarness.StartAsync(settings: new() { ["Portal:Delivery:BatchSize"] = "100" });
        await using var nodeB = await nodeA.StartAnotherNodeAsync();
        for (var i = 0; i < 4; i++)
        {
            var id = await nodeA.CreateAsync("webhook", new() { ["url"] = new Uri(receiver.Url, $"hooks/{i}").ToString() }, $"Receiver {i}");
            await EnqueueAsync(nodeA, id, perIntegration);
        }

        var ordered = await nodeA.CreateAsync("webhook", new() { ["url"] = new Uri(receiver.Url, "ordered").ToString() }, "Ordered");
        await EnqueueAsync(nodeA, ordered, inOrder);
        // Webhooks are not an ordered type; these messages form an ordered lane as an MQTT integration's do
        // (queued InOrder, their Sequence increasing), which the dispatcher treats alike whatever the type.
        await UpdateOutboxAsync(nodeA, m => m.IntegrationId == ordered, s => s.SetProperty(m => m.InOrder, true));

        var sent = await Task.WhenAll(DispatchUntilReceivedAsync(nodeA, receiver, total), DispatchUntilReceivedAsync(nodeB, receiver, total));

        var ids = receiver.Requests.Select(r => r.Headers["webhook-id"]).ToList();
        Assert.Equal(total, ids.Count);
        Assert.Equal(total, ids.Distinct().Count());
        Assert.All(sent, count => Assert.InRange(count, 1, total - 1));
        Assert.Equal(total, sent.Sum());
        Assert.Equal(Enumerable.Range(0, inOrder).Select(Payload), orderedArrivals);
        await using var scope = PlatformScope(nodeB, out var db);
        await using var context = await db.CreateDbContextAsync(Ct);
        var messages = await context.Set<OutboxMessage>().IgnoreQueryFilters().ToListAsync(Ct);
        Assert.All(messages, m => Assert.Equal((DeliveryStatus.Delivered, 1, (Guid?)null), (m.Status, m.TotalAttempts, m.ClaimedBy)));
        Assert.Equal(total, await context.Set<DeliveryAttempt>().IgnoreQueryFilters().CountAsync(a => a.Succeeded, Ct));
    }

    [Fact]
    public async Task ClaimOfANodeThatDied_TakenOnceItsLeaseEnds_SentWithTheSameMessageId()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var orphaned = await harness.EnqueueAsync(id);
        var stillHeld = await harness.EnqueueAsync(id);
        var now = harness.Clock.GetUtcNow();
        // As other nodes left them: one died mid-send (its lease ran out a second ago), one is still sending.
        await UpdateOutboxAsync(harness, m => m.Id == orphaned,
            s => s.SetProperty(m => m.ClaimedBy, Guid.NewGuid()).SetProperty(m => m.ClaimedUntil, now - TimeSpan.FromSeconds(1)));
        await UpdateOutboxAsync(harness, m => m.Id == stillHeld,
            s => s.SetProperty(m => m.ClaimedBy, Guid.NewGuid()).SetProperty(m => m.ClaimedUntil, now + TimeSpan.FromMinutes(1)));

        Assert.Equal(1, await harness.DispatchAsync());

        Assert.Equal([orphaned.ToString()], receiver.Requests.Select(r => r.Headers["webhook-id"]));
        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(orphaned)).Message.Status);
        Assert.Equal(DeliveryStatus.Pending, (await harness.DetailAsync(stillHeld)).Message.Status);

        // That node dies too: once its lease ends, its message goes, with its own id.
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await harness.DispatchAsync());
        Assert.Equal([orphaned.ToString(), stillHeld.ToString()], receiver.Requests.Select(r => r.Headers["webhook-id"]));
        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(stillHeld)).Message.Status);
    }

    [Fact]
    public async Task SendThatOutlastsTheLease_KeepsItsClaim_SoAnotherNodeDoesNotSendItToo()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = async (context, _) =>
        {
            arrived.TrySetResult();
            await answer.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("{}");
        };
        await using var nodeA = await DeliveryHarness.StartAsync();
        await using var nodeB = await nodeA.StartAnotherNodeAsync();
        var id = await nodeA.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var message = await nodeA.EnqueueAsync(id);
        var lease = nodeA.Services.GetRequiredService<DeliveryOptions>().ClaimLease;
        var claimedAt = nodeA.Clock.GetUtcNow();

        var sending = Task.Run(nodeA.DispatchAsync, Ct);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(claimedAt + lease, await ClaimedUntilAsync(nodeA, message));
        // A third of the lease on, the run renews its claims; then the first lease runs out.
        await Eventually.TrueAsync(() => Task.FromResult(nodeA.Clock.PendingTimers().Contains(lease / 3)), "node A's run to wait to renew its claims");
        nodeA.Clock.Advance(lease / 3);
        await Eventually.TrueAsync(async () => await ClaimedUntilAsync(nodeA, message) == claimedAt + lease / 3 + lease, "node A to renew its claim");
        nodeA.Clock.Advance(lease * 2 / 3 + TimeSpan.FromSeconds(1));

        Assert.Equal(0, await nodeB.DispatchAsync());
        answer.SetResult();
        Assert.Equal(1, await sending);
        Assert.Equal([message.ToString()], receiver.Requests.Select(r => r.Headers["webhook-id"]));
        Assert.Null(await ClaimedUntilAsync(nodeA, message));
    }

    private static async Task<DateTimeOffset?> ClaimedUntilAsync(DeliveryHarness node, Guid messageId)
    {
        await using var scope = PlatformScope(node, out var db);
        await using var context = await db.CreateDbContextAsync(Ct);
        return await context.Set<OutboxMessage>().IgnoreQueryFilters().Where(m => m.Id == messageId).Select(m => m.ClaimedUntil).SingleAsync(Ct);
    }

    [Fact]
    public async Task OrderedLane_EarlierMessageClaimedByAnotherNode_LaterOnesWaitUntilItIsRecorded()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var first = await harness.EnqueueAsync(id, Payload(0));
        var second = await harness.EnqueueAsync(id, Payload(1));
        await UpdateOutboxAsync(harness, m => m.IntegrationId == id, s => s.SetProperty(m => m.InOrder, true));
        var otherNode = Guid.NewGuid();
        await UpdateOutboxAsync(harness, m => m.Id == first,
            s => s.SetProperty(m => m.ClaimedBy, otherNode).SetProperty(m => m.ClaimedUntil, harness.Clock.GetUtcNow() + TimeSpan.FromMinutes(1)));

        Assert.Equal(0, await harness.DispatchAsync());
        Assert.Empty(receiver.Requests);

        // The other node records the first as delivered (and lets go of it): the lane moves on here.
        await UpdateOutboxAsync(harness, m => m.Id == first, s => s
            .SetProperty(m => m.Status, DeliveryStatus.Delivered).SetProperty(m => m.NextAttemptAt, (DateTimeOffset?)null)
            .SetProperty(m => m.ClaimedBy, (Guid?)null).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null));
        Assert.Equal(1, await harness.DispatchAsync());
        Assert.Equal([second.ToString()], receiver.Requests.Select(r => r.Headers["webhook-id"]));
    }

    [Fact]
    public async Task PortalStarted_MessageQueuedOnThisNode_ItsOwnLoopDeliversItWithoutWaitingForThePoll()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        // A poll far away: only the nudge of the enqueue can start the node's dispatcher in time.
        await using var app = new PortalAppFactory { Settings = { ["Portal:Delivery:PollInterval"] = "00:10:00" } };
        using var client = app.CreateClient();
        var tenant = await app.Services.SetUpFirstOrganizationAsync();
        await using var scope = app.Services.AsAdmin(tenant);
        var id = await DeliveryHarness.CreateAsync(scope.ServiceProvider, "webhook", new() { ["url"] = receiver.Url.ToString() });

        var messageId = (await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueueAsync(id, "meter.reading", [Payload(1)], Ct)).Single();

        // (The integration's verification, which Quartz runs here, probes the receiver with a HEAD.)
        var delivered = await Eventually.FoundAsync(() => receiver.Requests.FirstOrDefault(r => r.Method == "POST"), "the message delivered");
        Assert.Equal(messageId.ToString(), delivered.Headers["webhook-id"]);
    }

    private static string Payload(int n) => string.Create(CultureInfo.InvariantCulture, $$"""{"n":{{n}}}""");

    private static async Task EnqueueAsync(DeliveryHarness node, Guid integrationId, int count) =>
        await node.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>()
            .EnqueueAsync(integrationId, "meter.reading", Enumerable.Range(0, count).Select(Payload).ToList(), Ct));

    /// <summary>Runs the node's dispatcher again and again (as its loop would) until the receiver has them all; returns how many it sent.</summary>
    private static async Task<int> DispatchUntilReceivedAsync(DeliveryHarness node, LoopbackReceiver receiver, int total)
    {
        await Task.Yield();
        var sent = 0;
        var deadline = Stopwatch.StartNew();
        while (receiver.Requests.Count < total && deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            var run = await node.DispatchAsync();
            sent += run;
            if (run == 0)
            {
                // The other node holds what is left.
                await Task.Delay(20, Ct);
            }
        }

        return sent;
    }

    /// <summary>Writes outbox rows directly, as another node (or an operator) would.</summary>
    private static async Task UpdateOutboxAsync(DeliveryHarness node, System.Linq.Expressions.Expression<Func<OutboxMessage, bool>> which,
        Action<UpdateSettersBuilder<OutboxMessage>> set)
    {
        await using var scope = PlatformScope(node, out var db);
        await using var context = await db.CreateDbContextAsync(Ct);
        await context.Set<OutboxMessage>().IgnoreQueryFilters().Where(which).ExecuteUpdateAsync(set, Ct);
    }

    private static AsyncServiceScope PlatformScope(DeliveryHarness node, out IDbContextFactory<PortalDbContext> db)
    {
        var scope = node.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        return scope;
    }
}
