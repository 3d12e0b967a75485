using System.Threading.Channels;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Writes a dispatcher run's results as they come: one write takes whatever finished since the last one
/// (up to a batch), so a quiet run writes each result on its own and a busy one in groups. A crash leaves
/// the sends in flight and the results not yet written unrecorded, to be sent again; the dispatcher keeps
/// the second bounded by starting no send while <see cref="IsBehind"/> (found by killing a node mid-run:
/// with a database slower than the receiver, a thousand sent messages could wait here unwritten).
/// </summary>
internal sealed class ResultRecorder : IAsyncDisposable
{
    private readonly Channel<(Sent? Result, TaskCompletionSource? Flushed)> _queue =
        Channel.CreateUnbounded<(Sent?, TaskCompletionSource?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writing;
    private int _unwritten;
    private TaskCompletionSource _wrote = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResultRecorder(Func<IReadOnlyList<Sent>, Task> write, int groupSize) => _writing = Task.Run(() => WriteAsync(write, groupSize));

    public void Add(Sent result)
    {
        Interlocked.Increment(ref _unwritten);
        _queue.Writer.TryWrite((result, null));
    }

    /// <summary>At least <paramref name="limit"/> results wait to be written (false once writing has failed: see <see cref="Failed"/>).</summary>
    public bool IsBehind(int limit) => !_writing.IsCompleted && Volatile.Read(ref _unwritten) >= limit;

    /// <summary>
    /// A write failed and nothing more will be written this run: the run must start no more sends, or each
    /// would be sent again by the next run (until 2026-12-03 a run went on sending, unrecorded, for the rest
    /// of its budget). <see cref="DisposeAsync"/> throws the write's error.
    /// </summary>
    public bool Failed => _writing.IsCompleted;

    /// <summary>Completes when the next write ends. Take it before asking <see cref="IsBehind"/>, so a write between the two is not missed.</summary>
    public Task NextWrite => Volatile.Read(ref _wrote).Task;

    /// <summary>Completes once everything added before is written.</summary>
    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((null, flushed)))
        {
            flushed.TrySetResult();
        }

        return flushed.Task;
    }

    private async Task WriteAsync(Func<IReadOnlyList<Sent>, Task> write, int groupSize)
    {
        var group = new List<Sent>(groupSize);
        var flushes = new List<TaskCompletionSource>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                while (group.Count < groupSize && _queue.Reader.TryRead(out var item))
                {
                    if (item.Result is { } result)
                    {
                        group.Add(result);
                    }

                    if (item.Flushed is { } flushed)
                    {
                        flushes.Add(flushed);
                    }
                }

                if (group.Count > 0)
                {
                    await write(group);
                    Interlocked.Add(ref _unwritten, -group.Count);
                    group.Clear();
                    Interlocked.Exchange(ref _wrote, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }

                flushes.ForEach(f => f.TrySetResult());
                flushes.Clear();
            }
        }
        catch (Exception e)
        {
            // Nothing more is written this run; what is unrecorded stays due and goes again.
            _queue.Writer.TryComplete(e);
            _wrote.TrySetResult();
            flushes.ForEach(f => f.TrySetException(e));
            while (_queue.Reader.TryRead(out var item))
            {
                item.Flushed?.TrySetException(e);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writing;
    }
}
