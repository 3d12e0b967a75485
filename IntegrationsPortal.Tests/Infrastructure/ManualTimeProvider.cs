namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// A clock that moves only when a test says so, so retry schedules are checked without sleeping.
/// <see cref="Advance"/> jumps to the new time and fires every timer that has come due.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>How far ahead each pending timer is due.</summary>
    public IReadOnlyList<TimeSpan> PendingTimers()
    {
        lock (_gate)
        {
            return [.. _timers.Select(timer => timer.DueAt - _now)];
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }

        while (NextDue() is { } timer)
        {
            timer.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private ManualTimer? NextDue()
    {
        lock (_gate)
        {
            var due = _timers.Where(timer => timer.DueAt <= _now).MinBy(timer => timer.DueAt);
            if (due is not null)
            {
                _timers.Remove(due);
                if (due.Period > TimeSpan.Zero)
                {
                    due.DueAt += due.Period;
                    _timers.Add(due);
                }
            }

            return due;
        }
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueAt = clock._now + dueTime;
                    clock._timers.Add(this);
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
