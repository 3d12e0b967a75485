using System.Text.Json;

namespace IntegrationsPortal.Features.Flows.Destinations;

/// <summary>SMS, phone and messaging accounts: the payload is {text} (and the message's "to", for account types that need one).</summary>
public sealed class SmsDestination : DestinationKind
{
    public const string Text = "text";

    public override IReadOnlyList<DestinationParameter> Parameters { get; } =
        [new(Text, "Text", "e.g. {{deviceName}} reads {{value}} {{unit}}. Empty: the message's text, else the message as JSON.", Multiline: true)];

    public override RenderedMessage Render(JsonElement message, IReadOnlyDictionary<string, string> values)
    {
        var text = Value(values, Text) is { } template ? FlowTemplate.Render(template, message) : TextOf(message);
        var to = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("to", out var number) && number.ValueKind == JsonValueKind.String
            ? number.GetString()
            : null;
        var payload = to is null ? JsonSerializer.Serialize(new { text }) : JsonSerializer.Serialize(new { to, text });
        return new(payload, NoParameters);
    }
}
