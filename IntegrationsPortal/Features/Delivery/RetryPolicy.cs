using System.Globalization;
using IntegrationsPortal.Features.Integrations;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>Randomness for the jitter, injectable so tests can pin it.</summary>
public class DeliveryRandom
{
    /// <summary>A number in [0, 1).</summary>
    public virtual double NextDouble() => Random.Shared.NextDouble();
}

/// <summary>
/// When to try a failed message again. The default schedule waits 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h and 10 h (eight attempts in all, the first at once), each +/-20%; an HTTP integration can
/// choose none, fixed or exponential instead. Throttling answers (429, 502, 504, timeouts) wait at
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

    /// <summary>The integration's own strategy (HTTP's retry_strategy), else the default.</summary>
    public static RetryPolicy For(ConfiguredIntegration integration)
    {
        int Int(string name, int fallback) =>
            int.TryParse(integration.Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

        var attempts = Int("retry_max_attempts", 8);
        var interval = TimeSpan.FromSeconds(Int("retry_interval_seconds", 60));
        var max = TimeSpan.FromSeconds(Int("retry_max_delay_seconds", 3600));
        return integration.Get("retry_strategy") switch
        {
            "NONE" => None,
            "FIXED" => new RetryPolicy(Enumerable.Repeat(interval, attempts - 1).ToList()),
            "EXPONENTIAL" => new RetryPolicy(Enumerable.Range(0, attempts - 1)
                .Select(i => TimeSpan.FromTicks(Math.Min(max.Ticks, interval.Ticks * (long)Math.Pow(2, Math.Min(i, 30))))).ToList()),
            _ => Default,
        };
    }

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
