using System.Text.Json;

namespace IntegrationsPortal.Features.Flows.Destinations;

/// <summary>A parameter a destination node takes, for the editor's side panel.</summary>
public sealed record DestinationParameter(string Name, string Label, string Help, bool Multiline = false);

/// <summary>What a destination puts in the outbox for one message: the payload and the per-message delivery parameters.</summary>
public sealed record RenderedMessage(string Payload, IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// What a flow's destination node understands, per integration type: its parameters, their rules,
/// and how a message becomes the outbox payload. One small class per kind; they will move behind the
/// integration-type registry when it exists.
/// </summary>
public abstract class DestinationKind
{
    public abstract IReadOnlyList<DestinationParameter> Parameters { get; }

    /// <summary>Field errors keyed by parameter name; empty when valid.</summary>
    public Dictionary<string, string> Validate(IReadOnlyDictionary<string, string> values)
    {
        var errors = new Dictionary<string, string>();
        foreach (var (name, value) in values)
        {
            if (Parameters.All(p => p.Name != name))
            {
                errors[name] = $"This destination does not take '{name}'.";
            }
            else if (value.Length > FlowLimits.Template)
            {
                errors[name] = $"Keep it under {FlowLimits.Template} characters.";
            }
            else if (FlowTemplate.Problem(value) is { } problem)
            {
                errors[name] = problem;
            }
            else if (Check(name, value) is { } error)
            {
                errors[name] = error;
            }
        }

        return errors;
    }

    public abstract RenderedMessage Render(JsonElement message, IReadOnlyDictionary<string, string> values);

    /// <summary>The kind's own rule for one parameter; null when the value is fine.</summary>
    protected virtual string? Check(string name, string value) => null;

    protected static string? Value(IReadOnlyDictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    protected static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();

    /// <summary>The human text of a message for notifications: its "text" field, else the message as JSON.</summary>
    protected static string TextOf(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()!
            : message.GetRawText();
}

/// <summary>The kind of each integration type that can be a destination.</summary>
public static class DestinationKinds
{
    private static readonly DestinationKind Plain = new PlainDestination();
    private static readonly DestinationKind Mqtt = new MqttDestination();
    private static readonly DestinationKind Http = new HttpDestination();
    private static readonly DestinationKind Email = new EmailDestination();
    private static readonly DestinationKind Sms = new SmsDestination();

    public static DestinationKind For(string typeKey) => typeKey switch
    {
        "mqtt" => Mqtt,
        "http" or "webhook" => Http,
        "email" => Email,
        "sms" or "phone" or "twilio" or "plivo" or "whatsapp" => Sms,
        _ => Plain,
    };
}

/// <summary>Types with nothing per flow: the message is the payload.</summary>
public sealed class PlainDestination : DestinationKind
{
    public override IReadOnlyList<DestinationParameter> Parameters { get; } = [];

    public override RenderedMessage Render(JsonElement message, IReadOnlyDictionary<string, string> values) =>
        new(message.GetRawText(), NoParameters);
}
