using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>Which message the dispatcher sends next when a slot frees: limits, turns and ordered lanes, without a database.</summary>
public sealed class DispatchRunTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static long _sequence;

    private static OutboxMessage Message(Guid organization, Guid integration, bool inOrder = false) => new()
    {
        Id = Guid.CreateVersion7(), OrganizationId = organization, IntegrationId = integration, EventType = "e", Payload = "{}",
        Status = DeliveryStatus.Pending, NextAttemptAt = Now, Sequence = Interlocked.Increment(ref _sequence), InOrder = inOrder,
    };

    private static DispatchRun Queued(DeliveryOptions options, params OutboxMessage[] messages)
    {
        var run = new DispatchRun(options);
        Assert.Empty(run.Queue(run.Take([.. messages]), [], Now));
        return run;
    }

    private static List<OutboxMessage> Drain(DispatchRun run)
    {
        var started = new List<OutboxMessage>();
        while (run.NextToSend() is { } next)
        {
            started.Add(next.Message);
        }

        return started;
    }

    [Fact]
    public void OrganizationsTakeTurns_EvenWhenOneQueuedFarMoreFirst()
    {
        Guid busyOrg = Guid.NewGuid(), quietOrg = Guid.NewGuid(), busyHook = Guid.NewGuid(), quietHook = Guid.NewGuid();
        var backlog = Enumerable.Range(0, 10).Select(_ => Message(busyOrg, busyHook));
        var run = Queued(new DeliveryOptions { MaxInFlightPerIntegration = 100 }, [.. backlog, Message(quietOrg, quietHook), Message(quietOrg, quietHook)]);

        var order = Drain(run).Select(m => m.OrganizationId).Take(4);

        Assert.Equal([busyOrg, quietOrg, busyOrg, quietOrg], order);
    }

    [Fact]
    public void AnIntegrationAtItsLimit_StartsNoMore_UntilASendEnds()
    {
        Guid org = Guid.NewGuid(), slow = Guid.NewGuid(), other = Guid.NewGuid();
        var run = Queued(new DeliveryOptions { MaxInFlightPerIntegration = 2 },
            Message(org, slow), Message(org, slow), Message(org, slow), Message(org, slow), Message(org, other));

        var started = Drain(run);
        Assert.Equal(2, started.Count(m => m.IntegrationId == slow));
        Assert.Single(started, m => m.IntegrationId == other);

        started[0].RecordAttempt(new DeliveryOutcome(), RetryPolicy.Default, new FixedRandom(), Now);
        run.Finished(new Sent(started[0], DeliveryTrigger.Automatic, new DeliveryOutcome(), 1, Now));
        Assert.Equal(slow, Assert.Single(Drain(run)).IntegrationId);
    }

    [Fact]
    public void OrderedLane_SendsOneAtATimeInSequence_AndAFailureHoldsTheRest()
    {
        Guid org = Guid.NewGuid(), broker = Guid.NewGuid();
        var first = Message(org, broker, inOrder: true);
        var second = Message(org, broker, inOrder: true);
        var third = Message(org, broker, inOrder: true);
        var run = Queued(new DeliveryOptions(), third, first, second);

        Assert.Equal([first], Drain(run));

        var failed = DeliveryOutcome.Fail(FailureKind.Retry, "mqtt", "The broker refused the connection.");
        first.RecordAttempt(failed, RetryPolicy.Default, new FixedRandom(), Now);
        var recorded = run.Finished(new Sent(first, DeliveryTrigger.Automatic, failed, 1, Now));

        Assert.Equal([first, second, third], recorded.Select(r => r.Message));
        Assert.All(recorded.Skip(1), held => Assert.Null(held.Outcome));
        Assert.All(recorded, r => Assert.Equal(Now + TimeSpan.FromSeconds(5), r.Message.NextAttemptAt));
        Assert.Empty(Drain(run));
    }
}
