using System.Text;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// The part every phone-number provider shares: who gets the message (the recipient list, or the
/// payload's "to" for account types without one), only verified numbers where the type verifies
/// them, one provider request per number so a failure names its number, and a note in the history
/// saying who got it and who was skipped. A provider's class only builds its request.
/// </summary>
public abstract class PhoneSender(HttpDelivery http) : IDeliverySender, ITextMessageSender
{
    public const string NoVerifiedRecipient = "No recipient is verified yet: confirm a number on the Recipients tab.";

    /// <summary>Account types have no recipient list: their payload names the number (put your own in).</summary>
    public string SamplePayload(IntegrationType type) =>
        type.VerifiesRecipients ? SamplePayloads.Text : """{ "to": "+14155550100", "text": "Test from IntegrationsPortal." }""";

    /// <summary>"Twilio", "Plivo": for messages an operator reads.</summary>
    protected abstract string ProviderName { get; }

    /// <summary>The label of the account id property, for "check the ... and the auth token".</summary>
    protected abstract string AccountIdLabel { get; }

    /// <summary>One provider request that gets <paramref name="text"/> to one number.</summary>
    protected abstract HttpRequestMessage BuildRequest(ConfiguredIntegration integration, PhoneText text);

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var integration = message.Integration;
        var listed = PropertyValidator.SplitList(integration.Get(IRecipientListHooks.ListProperty) ?? Payloads.Field(message.Payload, "to"));
        if (listed.Count == 0)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "configuration", "There is no recipient: set recipients or put \"to\" in the payload.");
        }

        // Null where the type has no verification (a payload's "to" on an account type); a verifying
        // type without the set (not loaded by the dispatcher) sends to nobody rather than to everyone.
        var verified = integration.Type.VerifiesRecipients ? integration.VerifiedRecipients ?? new HashSet<string>() : null;
        var recipients = verified is null ? listed : listed.Where(verified.Contains).ToList();
        var skipped = listed.Except(recipients).ToList();
        if (recipients.Count == 0)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "unverified", NoVerifiedRecipient) with { Note = Note([], skipped) };
        }

        var text = Payloads.Text(message.Payload);
        var voice = integration.Type.Can(Capabilities.PlaceCall);
        var sent = new List<string>();
        DeliveryOutcome? outcome = null;
        foreach (var to in recipients)
        {
            outcome = await SendOneAsync(integration, new PhoneText(to, text, voice, $"{message.MessageId}-{to}"), ct);
            if (!outcome.Succeeded)
            {
                // The whole message is retried; providers that take an idempotency key drop the repeats.
                return outcome with { ErrorMessage = $"{to}: {outcome.ErrorMessage}", Note = Note(sent, skipped, failed: to) };
            }

            sent.Add(to);
        }

        return outcome! with { Note = Note(sent, skipped) };
    }

    /// <summary>
    /// A text message to one number outside the outbox (verification codes): the same request,
    /// redaction and answer handling as a delivery. The caller decides what to keep of the outcome.
    /// </summary>
    public Task<DeliveryOutcome> SendTextAsync(ConfiguredIntegration integration, string to, string text, CancellationToken ct) =>
        SendOneAsync(integration, new PhoneText(to, text, Voice: false, IdempotencyKey: Guid.NewGuid().ToString()), ct);

    private async Task<DeliveryOutcome> SendOneAsync(ConfiguredIntegration integration, PhoneText text, CancellationToken ct)
    {
        using var request = BuildRequest(integration, text);
        var outcome = await http.SendAsync(request, integration, TimeSpan.FromSeconds(30), status => status is >= 200 and < 300, ct);
        // A provider's 4xx judges this request (a number it cannot reach, credentials it refuses): sending
        // it again on the retry schedule only delays the routing rule's fallback by hours. Busy answers
        // (408, 409, 425, 429) are retried as before.
        return outcome.StatusCode switch
        {
            401 or 403 => outcome with
            {
                Failure = FailureKind.Final,
                ErrorMessage = $"{ProviderName} refused the credentials ({outcome.StatusCode}): check the {AccountIdLabel} and the auth token.",
            },
            >= 400 and < 500 and not (408 or 409 or 425 or 429) => outcome with
            {
                Failure = FailureKind.Final,
                ErrorMessage = $"{ProviderName} refused the message ({outcome.StatusCode}): {RefusalReason(outcome.ResponseBody) ?? "no reason given"}",
            },
            _ => outcome,
        };
    }

    /// <summary>The provider's own words for a refusal, from its error body (Twilio's "message", Plivo's "error").</summary>
    protected abstract string? RefusalReason(string? responseBody);

    protected static HttpContent Json(object body) =>
        new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static string Note(IReadOnlyList<string> sent, IReadOnlyList<string> skipped, string? failed = null)
    {
        var note = new StringBuilder();
        if (sent.Count > 0)
        {
            note.Append("Sent to ").AppendJoin(", ", sent).Append(". ");
        }

        if (failed is not null)
        {
            note.Append("Failed at ").Append(failed).Append(". ");
        }

        if (skipped.Count > 0)
        {
            note.Append("Skipped, not verified: ").AppendJoin(", ", skipped).Append('.');
        }

        return note.ToString().TrimEnd();
    }
}

/// <summary>One message to one number; <paramref name="Voice"/> reads it aloud in a call.</summary>
public sealed record PhoneText(string To, string Text, bool Voice, string IdempotencyKey);
