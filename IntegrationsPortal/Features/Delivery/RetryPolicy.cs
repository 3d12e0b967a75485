namespace IntegrationsPortal.Features.Delivery;

/// <summary>Randomness for the jitter, injectable so tests can pin it.</summary>
public class DeliveryRandom
{
    /// <summary>A number in [0, 1).</summary>
#pragma warning disable CA5394 // Jitter spreads retries over time; nothing depends on it being unpredictable.
    public virtual double NextDouble() => Random.Shared.NextDouble();
#pragma warning restore CA5394
}

/// <summary>
/// When to try a failed message again. The default schedule waits 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h and 10 h (eight attempts in all, the first at once), each +/-20%; a sender may choose another
/// per integration (<see cref="IDeliverySender.Retries"/>: HTTP's none, fixed or exponential). Throttling answers (429, 502, 504, timeouts) wait at
/// least a minute and honour Retry-After up to twice the scheduled delay.
/// </summary>
public sealed class RetryPolicy(IReadOnlyList<TimeSpan> delays, bool jitter = true)
{
    public static readonly TimeSpan ThrottleMinimum = TimeSpan.FromSeconds(60);

    public static readonly IReadOnlyList<TimeSpan> DefaultDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public static readonly RetryPolicy Default = new(DefaultDelays);

    public static readonly RetryPolicy None = new([]);

    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts => delays.Count + 1;

    public IReadOnlyList<TimeSpan> Delays => delays;

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based), or null when the budget is spent.</summary>
    public TimeSpan? DelayAfter(int attempt, DeliveryOutcome outcome, DeliveryRandom random)
    {
        if (attempt < 1 || attempt > delays.Count)
        {
            return null;
        }

        var scheduled = delays[attempt - 1];
        if (jitter)
        {
            scheduled = TimeSpan.FromTicks((long)(scheduled.Ticks * (0.8 + (0.4 * random.NextDouble()))));
        }

        if (outcome.Failure != FailureKind.Throttled)
        {
            return scheduled;
        }

        var delay = scheduled < ThrottleMinimum ? ThrottleMinimum : scheduled;
        if (outcome.RetryAfter is { } asked)
        {
            var honoured = asked < scheduled * 2 ? asked : scheduled * 2;
            delay = honoured > delay ? honoured : delay;
        }

        return delay;
    }
}
