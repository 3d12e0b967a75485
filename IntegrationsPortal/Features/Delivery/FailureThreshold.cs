namespace IntegrationsPortal.Features.Delivery;

/// <summary>One automatic attempt as the failure threshold weighs it.</summary>
public readonly record struct RecentAttempt(DateTimeOffset At, bool Succeeded);

/// <summary>
/// When an integration's deliveries have failed long enough to put it in error: the last
/// <see cref="Attempts"/> automatic attempts all failed, spread over at least <see cref="Span"/>
/// (so a burst of failures in one outage minute does not stop it). Pure, so it is tested without a database.
/// </summary>
public sealed class FailureThreshold(int attempts, TimeSpan span)
{
    public FailureThreshold(DeliveryOptions options)
        : this(options.FailureThreshold, options.FailureSpan)
    {
    }

    public int Attempts => attempts;

    /// <summary>Why to stop, or null to keep going; <paramref name="newestFirst"/> is at most <see cref="Attempts"/> attempts, newest first.</summary>
    public string? StopReason(IReadOnlyList<RecentAttempt> newestFirst)
    {
        if (newestFirst.Count < attempts || newestFirst.Any(a => a.Succeeded))
        {
            return null;
        }

        var spread = newestFirst[0].At - newestFirst[^1].At;
        return spread >= span
            ? $"{DeliveryService.StoppedPrefix}: the last {attempts} attempts failed over {spread.TotalHours:0} h."
            : null;
    }
}
