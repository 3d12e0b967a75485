using System.Threading.Channels;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// Writes a dispatcher run's results as they come: one write takes whatever finished since the last one
/// (up to a batch), so a quiet run writes each result on its own and a busy one in groups, and a crash
/// leaves only the sends in flight and the group being written unrecorded.
/// </summary>
internal sealed class ResultRecorder : IAsyncDisposable
{
    private readonly Channel<(Sent? Result, TaskCompletionSource? Flushed)> _queue =
        Channel.CreateUnbounded<(Sent?, TaskCompletionSource?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writing;

    public ResultRecorder(Func<IReadOnlyList<Sent>, Task> write, int groupSize) => _writing = Task.Run(() => WriteAsync(write, groupSize));

    public void Add(Sent result) => _queue.Writer.TryWrite((result, null));

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
                    group.Clear();
                }

                flushes.ForEach(f => f.TrySetResult());
                flushes.Clear();
            }
        }
        catch (Exception e)
        {
            // Nothing more is written this run; what is unrecorded stays due and goes again.
            _queue.Writer.TryComplete(e);
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
