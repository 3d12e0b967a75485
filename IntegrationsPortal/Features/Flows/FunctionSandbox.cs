using System.Threading.Channels;

namespace IntegrationsPortal.Features.Flows;

/// <summary>
/// Where flow functions run: a few dedicated threads with a 512 MB stack reservation. Jint's
/// built-ins (JSON.stringify, join) recurse natively on deeply nested values, and a stack overflow
/// ends the process whatever catches it; the time and statement limits bound how deep a function can
/// nest within a call far below what this stack holds (docs/decisions/013). Reserved, not committed:
/// the pages are touched only by such a call.
/// </summary>
public sealed class FunctionSandbox : IDisposable
{
    private const int StackBytes = 512 * 1024 * 1024;
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>();
    private readonly Thread[] _threads;

    public FunctionSandbox(FunctionLimits limits)
    {
        Limits = limits;
        _threads = Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 4))
            .Select(i => new Thread(Work, StackBytes) { IsBackground = true, Name = $"flow-functions-{i}" })
            .ToArray();
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public FunctionLimits Limits { get; }

    /// <summary>Runs <paramref name="work"/> (compiling and calling functions) on a sandbox thread.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = _work.Writer.TryWrite(() =>
            {
                try
                {
                    done.SetResult(work());
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
        ObjectDisposedException.ThrowIf(!queued, this);

        return done.Task;
    }

    private void Work()
    {
        var reader = _work.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var work))
            {
                work();
            }
        }
    }

    public void Dispose() => _work.Writer.TryComplete();
}
