namespace IntegrationsPortal.Features.Flows;

/// <summary>A message that reached a destination node: the index-th to reach it in this run.</summary>
public sealed record DestinationArrival(FlowNode Node, int Index, string Message);

/// <summary>What the functions of one run did, before anything is queued.</summary>
public sealed record FlowExecutionResult(
    IReadOnlyList<FlowRunStep> FunctionSteps, IReadOnlyList<DestinationArrival> Arrivals, string? Error);

/// <summary>
/// Walks one message through a graph: from the matching sources along the edges, each function's
/// output going on to its successors, until messages reach destinations. Breadth first and in edge
/// order, so the same input always yields the same arrivals with the same indexes; the idempotency
/// keys depend on that. The first failing function fails the run and nothing reaches any destination.
/// </summary>
public static class FlowExecution
{
    /// <summary>More messages than this in one run is a runaway fan-out; the run fails.</summary>
    public const int MaxMessagesPerRun = 1000;

    public static FlowExecutionResult Run(
        FlowGraph graph, IEnumerable<FlowNode> sources, string input, string context,
        Func<FlowNode, string, string, FunctionResult> callFunction)
    {
        var steps = new List<FlowRunStep>();
        var arrivals = new List<DestinationArrival>();
        var counts = new Dictionary<string, int>();
        var pending = new Queue<(FlowNode Node, string Message)>();
        foreach (var source in sources)
        {
            foreach (var next in graph.Successors(source.Id))
            {
                pending.Enqueue((next, input));
            }
        }

        var handled = 0;
        while (pending.TryDequeue(out var arrival))
        {
            if (++handled > MaxMessagesPerRun)
            {
                return new FlowExecutionResult(steps, [], $"The flow produced more than {MaxMessagesPerRun} messages from one reading and was stopped.");
            }

            var (node, message) = arrival;
            var index = counts[node.Id] = counts.GetValueOrDefault(node.Id) + 1;
            if (node.Kind == FlowNodeKind.Destination)
            {
                arrivals.Add(new DestinationArrival(node, index - 1, message));
                continue;
            }

            var result = callFunction(node, message, context);
            steps.Add(new FlowRunStep
            {
                Id = Guid.CreateVersion7(),
                NodeId = node.Id,
                Kind = FlowStepKind.Function,
                Index = index - 1,
                Input = message,
                Output = result.Failed ? null : "[" + string.Join(",", result.Messages) + "]",
                Logs = result.Logs.Count == 0 ? null : string.Join('\n', result.Logs),
                Error = result.ErrorText,
            });
            if (result.Failed)
            {
                return new FlowExecutionResult(steps, [], $"{NodeName(node)}: {result.ErrorText}");
            }

            foreach (var output in result.Messages)
            {
                foreach (var next in graph.Successors(node.Id))
                {
                    pending.Enqueue((next, output));
                }
            }
        }

        return new FlowExecutionResult(steps, arrivals, null);
    }

    public static string NodeName(FlowNode node) => node.Label is { Length: > 0 } label ? $"{label} ({node.Id})" : node.Id;
}
