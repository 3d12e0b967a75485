using IntegrationsPortal.Features.Integrations;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>What became of one message; no outcome when it was held back behind a failure in its ordered lane.</summary>
internal readonly record struct Sent(OutboxMessage Message, DeliveryTrigger Trigger, DeliveryOutcome? Outcome, int DurationMs, DateTimeOffset At);

/// <summary>A message read and waiting for a slot, with its integration as configured when it was read (null: deleted).</summary>
internal readonly record struct Queued(OutboxMessage Message, ConfiguredIntegration? Integration);

/// <summary>
/// What one dispatcher run has taken and not finished, per integration: which message goes next when a
/// slot frees. Integrations hold at most <see cref="DeliveryOptions.MaxInFlightPerIntegration"/> sends,
/// organizations take turns (round-robin, then the organization's integrations in turn), and an ordered
/// lane sends one message at a time in sequence, a failure holding the rest. Used by the run's loop only.
/// </summary>
internal sealed class DispatchRun(DeliveryOptions options)
{
    public const string HeldError = "Waiting for an earlier message to this destination to be delivered first.";

    /// <summary>Every message taken, as it was read: a read that shows the same state again is stale (still unrecorded).</summary>
    private readonly Dictionary<Guid, (int TotalAttempts, DateTimeOffset? NextAttemptAt)> _taken = [];
    private readonly Dictionary<Guid, Lane> _lanes = [];
    private readonly List<Organization> _organizations = [];
    private int _nextOrganization;
    private int _queued;
    private int _queuedInBusyLanes;
    private bool _rescan;

    /// <summary>Room for another read: the messages waiting outside busy integrations are fewer than a batch.</summary>
    public bool WantsMore => _queued - _queuedInBusyLanes < options.BatchSize;

    public int Queued => _queued;

    /// <summary>Integrations with a batch or more waiting here already; reads leave them out (and look again once they drain).</summary>
    public Guid[] BusyIntegrations()
    {
        _queuedInBusyLanes = 0;
        var busy = new List<Guid>();
        foreach (var lane in _lanes.Values.Where(l => l.Waiting >= options.BatchSize))
        {
            lane.Skipped = true;
            _queuedInBusyLanes += lane.Waiting;
            busy.Add(lane.IntegrationId);
        }

        return [.. busy];
    }

    /// <summary>Whether to read from the start again (an ordered lane moved on, or a skipped busy lane drained); resets it.</summary>
    public bool TakeRescan()
    {
        var rescan = _rescan;
        _rescan = false;
        return rescan;
    }

    /// <summary>The messages of a read this run has not taken yet (a stale read repeats ones still being sent or recorded).</summary>
    public List<OutboxMessage> Take(List<OutboxMessage> read)
    {
        var taken = new List<OutboxMessage>(read.Count);
        foreach (var message in read)
        {
            var state = (message.TotalAttempts, message.NextAttemptAt);
            if (!_taken.TryGetValue(message.Id, out var seen) || seen != state)
            {
                _taken[message.Id] = state;
                taken.Add(message);
            }
        }

        return taken;
    }

    /// <summary>Queues what was taken; returns the ordered messages held at once because their lane is stopped.</summary>
    public IEnumerable<Sent> Queue(List<OutboxMessage> taken, Dictionary<Guid, ConfiguredIntegration?> configurations, DateTimeOffset now)
    {
        var held = new List<Sent>();
        foreach (var message in taken)
        {
            var lane = LaneOf(message);
            if (message.InOrder && lane.StoppedUntil is { } retryAt)
            {
                if (now < retryAt)
                {
                    held.Add(Hold(message, retryAt));
                    continue;
                }

                lane.StoppedUntil = null;
            }

            lane.Add(new Queued(message, configurations.GetValueOrDefault(message.IntegrationId)));
            _queued++;
        }

        return held;
    }

    /// <summary>The next message to send, organizations and their integrations in turn; null when none may start now.</summary>
    public Queued? NextToSend()
    {
        if (_queued == 0)
        {
            return null;
        }

        for (var i = 0; i < _organizations.Count; i++)
        {
            var organization = _organizations[(_nextOrganization + i) % _organizations.Count];
            if (organization.NextToSend(options.MaxInFlightPerIntegration) is { } next)
            {
                _nextOrganization = (_nextOrganization + i + 1) % _organizations.Count;
                _queued--;
                return next;
            }
        }

        return null;
    }

    /// <summary>A send ended: frees its slot and returns what to record (the result, and the lane's messages a failure holds).</summary>
    public List<Sent> Finished(Sent sent)
    {
        var message = sent.Message;
        var lane = _lanes[message.IntegrationId];
        var record = new List<Sent> { sent };
        lane.InFlight--;
        if (message.InOrder)
        {
            lane.OrderedInFlight = false;
            if (message.NextAttemptAt is { } retryAt)
            {
                // Not attempted, so no history row: they wait (Pending or Failed, as they were) and are due
                // together with the message holding them back, which the lane's order puts first.
                lane.StoppedUntil = retryAt;
                _queued -= lane.Ordered.Count;
                record.AddRange(lane.Ordered.Select(q => Hold(q.Message, retryAt)));
                lane.Ordered.Clear();
            }
            else
            {
                _rescan = true;
            }
        }

        if (lane.Skipped && lane.Waiting < options.BatchSize / 2)
        {
            lane.Skipped = false;
            _rescan = true;
        }

        return record;
    }

    private static Sent Hold(OutboxMessage message, DateTimeOffset retryAt)
    {
        message.NextAttemptAt = retryAt;
        message.LastError = HeldError;
        return new Sent(message, message.Trigger, null, 0, retryAt);
    }

    private Lane LaneOf(OutboxMessage message)
    {
        if (!_lanes.TryGetValue(message.IntegrationId, out var lane))
        {
            lane = new Lane(message.IntegrationId);
            _lanes[message.IntegrationId] = lane;
            var organization = _organizations.Find(o => o.Id == message.OrganizationId);
            if (organization is null)
            {
                organization = new Organization(message.OrganizationId);
                _organizations.Add(organization);
            }

            organization.Lanes.Add(lane);
        }

        return lane;
    }

    private sealed class Organization(Guid id)
    {
        private int _next;

        public Guid Id => id;

        public List<Lane> Lanes { get; } = [];

        public Queued? NextToSend(int limit)
        {
            for (var i = 0; i < Lanes.Count; i++)
            {
                var lane = Lanes[(_next + i) % Lanes.Count];
                if (lane.NextToSend(limit) is { } next)
                {
                    _next = (_next + i + 1) % Lanes.Count;
                    return next;
                }
            }

            return null;
        }
    }

    /// <summary>One integration's messages in this run: unordered ones first come first served, ordered ones one at a time by sequence.</summary>
    private sealed class Lane(Guid integrationId)
    {
        public Guid IntegrationId => integrationId;

        public Queue<Queued> Unordered { get; } = new();

        /// <summary>Sorted by <see cref="OutboxMessage.Sequence"/>.</summary>
        public List<Queued> Ordered { get; } = [];

        public int InFlight { get; set; }

        public bool OrderedInFlight { get; set; }

        public DateTimeOffset? StoppedUntil { get; set; }

        /// <summary>Left out of a read for being busy; its drain triggers a fresh look.</summary>
        public bool Skipped { get; set; }

        public int Waiting => Unordered.Count + Ordered.Count;

        public void Add(Queued queued)
        {
            if (!queued.Message.InOrder)
            {
                Unordered.Enqueue(queued);
                return;
            }

            var at = Ordered.FindLastIndex(q => q.Message.Sequence < queued.Message.Sequence) + 1;
            Ordered.Insert(at, queued);
        }

        public Queued? NextToSend(int limit)
        {
            if (InFlight >= limit)
            {
                return null;
            }

            Queued next;
            if (Ordered.Count > 0 && !OrderedInFlight && StoppedUntil is null)
            {
                next = Ordered[0];
                Ordered.RemoveAt(0);
                OrderedInFlight = true;
            }
            else if (!Unordered.TryDequeue(out next))
            {
                return null;
            }

            InFlight++;
            return next;
        }
    }
}
