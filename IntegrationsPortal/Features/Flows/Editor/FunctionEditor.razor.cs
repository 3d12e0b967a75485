using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Flows.Editor;

public partial class FunctionEditor
{
    /// <summary>What a reading looks like when it enters a flow (Features/Flows/README.md), until a real one is loaded.</summary>
    public const string ExampleMessage = """
        {
          "deviceName": "Main meter",
          "deviceType": "meter",
          "placeName": "Hall",
          "metric": "kwh",
          "value": 1.5,
          "unit": "kWh",
          "timestamp": "2026-03-01T07:00:00Z"
        }
        """;

    private string sample = ExampleMessage;
    private string? sampleError;
    private FunctionResult? result;

    [Parameter, EditorRequired]
    public required FlowEditorModel Model { get; set; }

    [Parameter, EditorRequired]
    public required FlowNode Node { get; set; }

    [Parameter, EditorRequired]
    public Guid FlowId { get; set; }

    [Inject]
    public required FlowService Flows { get; init; }

    private void SetCode(string code)
    {
        Node.Code = code;
        Model.NotifyChanged();
    }

    private async Task TestAsync()
    {
        sampleError = null;
        var ran = await RunAsync(async () => result = await Flows.TestFunctionAsync(Node.Code ?? "", sample), refused: e =>
        {
            sampleError = e.FieldErrors.TryGetValue("sample", out var messages) ? messages[0] : null;
            return sampleError is null ? e.Message : null;
        });
        if (!ran)
        {
            result = null;
        }
    }

    /// <summary>The latest real input of a source that feeds this function (the saved draft's; a new source needs saving first).</summary>
    private async Task LatestAsync()
    {
        var sources = Model.UpstreamSources(Node.Id).ToList();
        if (sources.Count == 0)
        {
            ErrorMessage = "Connect a source to this function first: its latest reading becomes the sample.";
            return;
        }

        string? latest = null;
        foreach (var source in sources)
        {
            if (!await RunAsync(async () => latest = await Flows.LatestInputAsync(FlowId, source.Id), refused: _ => "Save the draft first: the latest reading is looked up for the saved sources."))
            {
                return;
            }

            if (latest is not null)
            {
                sample = latest;
                return;
            }
        }

        ErrorMessage = "No reading has arrived from this flow's sources yet; test with the example or type one.";
    }
}
