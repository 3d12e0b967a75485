namespace IntegrationsPortal.Features.Delivery;

/// <summary>How a failed attempt affects what happens next.</summary>
public enum FailureKind
{
    None,
    /// <summary>Try again on the schedule (5xx, network errors, unexpected answers).</summary>
    Retry,
    /// <summary>The receiver is overloaded or slow (429, 502, 504, timeout): wait at least a minute, honour Retry-After.</summary>
    Throttled,
    /// <summary>410 Gone: the receiver says it will never take messages again.</summary>
    Gone,
    /// <summary>Retrying cannot help (the URL policy refused the address, the configuration is broken).</summary>
    Final,
}

/// <summary>What one attempt sent and got back, ready for the history (secrets already redacted).</summary>
public sealed record DeliveryOutcome
{
    public bool Succeeded => Failure == FailureKind.None;

    public FailureKind Failure { get; init; }

    public string? Url { get; init; }

    public string? Method { get; init; }

    public string? RequestHeaders { get; init; }

    public string? RequestBody { get; init; }

    public int? StatusCode { get; init; }

    public string? ResponseHeaders { get; init; }

    public string? ResponseBody { get; init; }

    public string? ErrorClass { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>
    /// The request went out but no answer came: the receiver may have it (an MQTT publish with no
    /// acknowledgement). The message is then <see cref="DeliveryStatus.Unknown"/>, not failed.
    /// </summary>
    public bool OutcomeUnknown { get; init; }

    /// <summary>What the sender wants the history to say besides the request (which numbers got it, which were skipped).</summary>
    public string? Note { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The provider's id for what a successful send created (a Stripe PaymentIntent's pi_...), for the operation that asked.</summary>
    public string? Reference { get; init; }

    /// <summary>The outcome as the history may keep it: every field free of the integration's secrets, in any common encoding.</summary>
    public DeliveryOutcome RedactedBy(Integrations.SecretRedactor redactor) => this with
    {
        Url = redactor.RedactOrNull(Url),
        RequestHeaders = redactor.RedactOrNull(RequestHeaders),
        RequestBody = redactor.RedactOrNull(RequestBody),
        ResponseHeaders = redactor.RedactOrNull(ResponseHeaders),
        ResponseBody = redactor.RedactOrNull(ResponseBody),
        ErrorMessage = redactor.RedactOrNull(ErrorMessage),
        Note = redactor.RedactOrNull(Note),
    };

    public static DeliveryOutcome Fail(FailureKind kind, string errorClass, string message) =>
        new() { Failure = kind, ErrorClass = errorClass, ErrorMessage = message };
}

/// <summary>
/// One way of getting a message to the world. Each integration type that delivers has one small
/// class, marked with the types it serves (<see cref="Catalog.ForTypesAttribute"/>); the
/// dispatcher, the retries and the history are shared.
/// </summary>
[Catalog.TypeCodeRole("sender")]
public interface IDeliverySender
{
    Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct);

    /// <summary>A payload to start a Test send from, shaped for what this sender reads.</summary>
    string SamplePayload(Catalog.IntegrationType type) => SamplePayloads.Data;

    /// <summary>When to try a failed message again: the portal's schedule unless the integration chose its own.</summary>
    RetryPolicy Retries(Integrations.ConfiguredIntegration integration) => RetryPolicy.Default;

    /// <summary>
    /// The provider's id for what a successful send created, read from its answer (<see cref="DeliveryOutcome.Reference"/>).
    /// Also asked of a recorded answer, when an operation catches up with a message whose end it missed.
    /// </summary>
    string? ReferenceOf(string? responseBody) => null;
}

/// <summary>A sender that can text one number outside the outbox (recipient verification codes).</summary>
public interface ITextMessageSender
{
    Task<DeliveryOutcome> SendTextAsync(Integrations.ConfiguredIntegration integration, string to, string text, CancellationToken ct);
}

/// <summary>Test-send payloads shared by several senders.</summary>
public static class SamplePayloads
{
    /// <summary>A data message, for senders that pass the payload on as it is.</summary>
    public const string Data = """
        {
          "type": "meter.reading",
          "placeId": "site-001",
          "deviceId": "meter-42",
          "reading": { "kwh": 1234.5, "at": "2026-01-01T00:00:00Z" }
        }
        """;

    /// <summary>A notification whose text is read, typed or spoken.</summary>
    public const string Text = """{ "text": "Test from IntegrationsPortal." }""";
}

/// <summary>A message with everything a sender needs: the integration's configuration (secrets opened) and the send time.</summary>
public sealed record ConfiguredIntegrationMessage(
    Integrations.ConfiguredIntegration Integration, Guid MessageId, string EventType, string Payload, DateTimeOffset Now)
{
    /// <summary>What the message's producer set for this message alone (a flow's topic, path suffix, headers); empty for most.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>An earlier attempt's outcome is unknown: the receiver may already have this message (MQTT sets DUP).</summary>
    public bool MayBeDuplicate { get; init; }
}
