namespace IntegrationsPortal.Components.Shared;

/// <summary>
/// Keeps a component's data current while in-process events (IntegrationEvents, DeliveryEvents,
/// IngestionEvents) report changes: on each event that concerns it, reloads on the component's
/// dispatcher and re-renders. With a throttle, a burst (a backfill reports every page) becomes one
/// reload per interval, so a live page does not re-query dozens of times a second and buttons are
/// not swapped under the operator's pointer. A reload that throws is logged and the last data
/// stays on screen: the events come from background work, and a failed refresh must not end the
/// circuit. Dispose it with the component; later events and pending reloads then do nothing.
/// </summary>
/// <param name="invokeAsync">The component's <c>InvokeAsync</c>: events arrive on other threads.</param>
/// <param name="stateHasChanged">The component's <c>StateHasChanged</c>, called after each reload.</param>
/// <param name="reload">Loads the component's data again.</param>
/// <param name="throttle">At most one reload per this interval; null reloads on every event.</param>
public sealed class LiveRefresh(
    Func<Func<Task>, Task> invokeAsync,
    Action stateHasChanged,
    Func<Task> reload,
    ILogger logger,
    TimeSpan? throttle = null,
    TimeProvider? time = null) : IDisposable
{
    private readonly List<Action> _unsubscribes = [];
    private readonly CancellationTokenSource _stopping = new();
    private int _pending;
    private volatile bool _disposed;

    /// <summary>Reloads on every event of <paramref name="subscribe"/>'s event for which <paramref name="concerns"/> holds.</summary>
    /// <example><c>live.Follow&lt;Guid&gt;(h => Events.Changed += h, h => Events.Changed -= h, id => id == Id);</c></example>
    public LiveRefresh Follow<TEvent>(Action<Action<TEvent>> subscribe, Action<Action<TEvent>> unsubscribe, Func<TEvent, bool>? concerns = null)
    {
        void OnEvent(TEvent change)
        {
            if (concerns is null || concerns(change))
            {
                Request();
            }
        }

        lock (_unsubscribes)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            subscribe(OnEvent);
            _unsubscribes.Add(() => unsubscribe(OnEvent));
        }

        return this;
    }

    private void Request()
    {
        if (_disposed)
        {
            return;
        }

        if (throttle is not { } interval)
        {
            _ = ReloadAsync();
            return;
        }

        // Later events are covered by the reload already due; the flag is cleared just before it
        // runs, so an event that arrives while it reloads asks for one more.
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _ = ReloadAfterAsync(interval);
        }
    }

    private async Task ReloadAfterAsync(TimeSpan interval)
    {
        try
        {
            await Task.Delay(interval, time ?? TimeProvider.System, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Interlocked.Exchange(ref _pending, 0);
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        try
        {
            await invokeAsync(async () =>
            {
                if (_disposed)
                {
                    return;
                }

                await reload();
                if (!_disposed)
                {
                    stateHasChanged();
                }
            });
        }
        catch (Exception e)
        {
            logger.LogError(e, "Live refresh failed; the page keeps showing the data it had.");
        }
    }

    public void Dispose()
    {
        lock (_unsubscribes)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var unsubscribe in _unsubscribes)
            {
                unsubscribe();
            }

            _unsubscribes.Clear();
        }

        // Cancelled, not disposed: a throttled reload may still be about to read its token.
        _stopping.Cancel();
    }
}
