namespace IntegrationsPortal.Components.Shared;

/// <summary>
/// Coalesces bursts of change notifications (a backfill reports every page) into at most one
/// refresh per interval, so a live page does not re-query and re-render dozens of times a second,
/// and buttons are not swapped under the operator's pointer.
/// </summary>
public sealed class RefreshThrottle(TimeSpan interval, TimeProvider time)
{
    private int _pending;

    /// <summary>Runs <paramref name="refresh"/> once, <see cref="interval"/> from now, however many times this is called meanwhile.</summary>
    public void Request(Func<Task> refresh)
    {
        if (Interlocked.Exchange(ref _pending, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            await Task.Delay(interval, time);
            Interlocked.Exchange(ref _pending, 0);
            await refresh();
        });
    }
}
