using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Flows.Editor;

/// <summary>
/// The editor's debug view: the last messages through the selected node (a function's input, output
/// and logs or error; a destination's message and its delivery status), or, for a source or with
/// nothing selected, the last runs and the input each started from. It reloads as the runner records
/// runs of this flow (FlowEvents, throttled like the other live pages), so it follows a pull while the
/// editor is open. On its own so the editor page only places it.
/// </summary>
public partial class FlowDebugPanel : IDisposable
{
    /// <summary>A pull records runs many times a second; one reload a second is live enough to watch.</summary>
    public static readonly TimeSpan RefreshThrottle = TimeSpan.FromSeconds(1);

    private const int PerNode = 5;
    private IReadOnlyDictionary<string, IReadOnlyList<FlowStepView>>? steps;
    private IReadOnlyList<FlowDebugRun>? runs;
    private LiveRefresh? live;

    [Parameter, EditorRequired]
    public Guid FlowId { get; set; }

    /// <summary>The selected node of the flow, if any.</summary>
    [Parameter]
    public FlowNode? Node { get; set; }

    [Inject]
    public required FlowService Flows { get; init; }

    [Inject]
    public required FlowEvents Events { get; init; }

    [Inject]
    public required ILogger<FlowDebugPanel> Logger { get; init; }

    private FlowNodeKind? NodeKind => Node?.Kind;

    private IReadOnlyList<FlowStepView> StepsOfNode => Node is not null && steps?.GetValueOrDefault(Node.Id) is { } list ? list : [];

    private string Heading => Node is { Kind: FlowNodeKind.Function or FlowNodeKind.Destination }
        ? $"Last messages through {FlowExecution.NodeName(Node)}"
        : "Last readings into the flow";

    protected override async Task OnInitializedAsync()
    {
        live = new LiveRefresh(InvokeAsync, StateHasChanged, ReloadAsync, Logger, RefreshThrottle)
            .Follow<Guid>(h => Events.RunsRecorded += h, h => Events.RunsRecorded -= h, id => id == FlowId);
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        steps = await LoadAsync(() => Flows.DebugAsync(FlowId, PerNode), steps ?? new Dictionary<string, IReadOnlyList<FlowStepView>>());
        runs = await LoadAsync(() => Flows.DebugRunsAsync(FlowId, PerNode), runs ?? []);
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC";

    public void Dispose() => live?.Dispose();
}
