using System.Collections.Concurrent;

namespace IntegrationsPortal.Features.Flows.Editor;

/// <summary>An editor's work not saved yet: the flow's name and graph as the operator left them.</summary>
public sealed record UnsavedFlow(string Name, string GraphJson, DateTimeOffset KeptAt);

/// <summary>
/// Keeps each operator's unsaved editor work per flow outside the circuit, so a dropped connection
/// (a new circuit after the reconnect gives up, or a reload) opens the editor where it was left.
/// A singleton in memory, not the browser's sessionStorage: the server already holds the graph,
/// nothing of it has to cross JS interop, and bunit tests can see it. What it does not survive is a
/// restart of the portal, which is fine for work that was never saved (decision 023-flow-editor).
/// </summary>
public sealed class FlowDraftStore(TimeProvider time)
{
    /// <summary>Unsaved work older than this is forgotten: the operator has moved on.</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromHours(12);

    private const int MaxEntries = 1000;

    private readonly ConcurrentDictionary<(string User, Guid Flow), UnsavedFlow> _unsaved = new();

    public void Keep(string user, Guid flowId, string name, FlowGraph graph)
    {
        _unsaved[(user, flowId)] = new UnsavedFlow(name, graph.ToJson(), time.GetUtcNow());
        if (_unsaved.Count > MaxEntries)
        {
            // Bounded: a burst of editors cannot grow it without end; the oldest work goes first.
            foreach (var stale in _unsaved.OrderBy(e => e.Value.KeptAt).Take(_unsaved.Count - MaxEntries).ToList())
            {
                _unsaved.TryRemove(stale.Key, out _);
            }
        }
    }

    public UnsavedFlow? Find(string user, Guid flowId) =>
        _unsaved.TryGetValue((user, flowId), out var kept) && time.GetUtcNow() - kept.KeptAt < KeepFor ? kept : null;

    public void Forget(string user, Guid flowId) => _unsaved.TryRemove((user, flowId), out _);
}
