using System.Text.Json;

namespace IntegrationsPortal.Features.Flows.Destinations;

/// <summary>Email: the payload is {subject, text}, the shape the email sender reads; the subject is a per-flow template.</summary>
public sealed class EmailDestination : DestinationKind
{
    public const string Subject = "subject";
    private const int MaxSubject = 200;

    public override IReadOnlyList<DestinationParameter> Parameters { get; } =
        [new(Subject, "Subject", "e.g. {{deviceName}}: {{metric}} is {{value}} {{unit}}. Empty: the message's own subject, else one naming the flow.")];

    protected override string? Check(string name, string value) =>
        value.Length > MaxSubject ? $"Keep the subject under {MaxSubject} characters."
        : value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal) ? "The subject must be one line." : null;

    public override RenderedMessage Render(JsonElement message, IReadOnlyDictionary<string, string> values)
    {
        var subject = Value(values, Subject) is { } template
            ? FlowTemplate.Render(template, message)
            : message.ValueKind == JsonValueKind.Object && message.TryGetProperty("subject", out var own) && own.ValueKind == JsonValueKind.String
                ? own.GetString()!
                : "Flow message";
        // Rendered values may hold line breaks; a subject header must not.
        subject = subject.ReplaceLineEndings(" ");
        return new(JsonSerializer.Serialize(new { subject, text = TextOf(message) }), NoParameters);
    }
}
