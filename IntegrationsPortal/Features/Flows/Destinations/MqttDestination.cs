using IntegrationsPortal.Features.Catalog;
using System.Text.Json;

namespace IntegrationsPortal.Features.Flows.Destinations;

/// <summary>MQTT: the message is published as it is; the topic can be a per-flow template.</summary>
public sealed class MqttDestination : DestinationKind
{
    public const string Topic = Delivery.Senders.MessageParameters.Topic;

    public override IReadOnlyList<DestinationParameter> Parameters { get; } =
        [new(Topic, "Topic", "Replaces the integration's topic, e.g. sites/{{placeName}}/{{metric}}. Empty: the integration's topic.")];

    // The integration's own topic property has the same rule: one check, one message.
    protected override string? Check(string name, string value) => PropertyRules.PublishTopic(value);

    public override RenderedMessage Render(JsonElement message, IReadOnlyDictionary<string, string> values) =>
        new(message.GetRawText(), Value(values, Topic) is { } topic
            ? new Dictionary<string, string> { [Topic] = FlowTemplate.Render(topic, message) }
            : NoParameters);
}
