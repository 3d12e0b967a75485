namespace IntegrationsPortal.Features.Flows.Editor;

/// <summary>Words the editor shows for the flow model's enums.</summary>
public static class FlowEditorText
{
    public static string SourceKind(FlowSourceKind kind) => kind switch
    {
        FlowSourceKind.Device => "Device",
        FlowSourceKind.DeviceType => "Device type",
        FlowSourceKind.Place => "Place",
        _ => "Ingress integration",
    };

    public static string NodeKind(FlowNodeKind kind) => kind switch
    {
        FlowNodeKind.Source => "Source",
        FlowNodeKind.Function => "Function",
        _ => "Destination",
    };

    public const string StarterFunction = """
        // Return an object (one message), an array (several) or null (drop).
        function transform(message, context) {
          return message;
        }
        """;
}
