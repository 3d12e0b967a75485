using System.Text.Json;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Operations;

/// <summary>
/// What each capability's payload must hold for its senders: a text's <c>to</c> and <c>text</c>, an
/// email's <c>text</c>, a payment's <c>amount</c> (smallest currency unit) and <c>currency</c>.
/// Errors are keyed by field (<c>payload.amount</c>) as /api/v1 publishes them.
/// </summary>
public static class OperationPayloads
{
    /// <summary>The capabilities an operation can be asked for now: those some sender carries out.</summary>
    public static readonly IReadOnlyList<string> Supported =
    [
        Capabilities.SendSms, Capabilities.SendWhatsApp, Capabilities.SendEmail, Capabilities.Notify, Capabilities.InitiatePayment,
    ];

    public static void Check(string? capability, JsonElement payload, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(capability))
        {
            errors["capability"] = ["The capability field is required."];
        }
        else if (!Supported.Contains(capability))
        {
            errors["capability"] = [Capabilities.Routable.Contains(capability)
                ? $"{capability} operations are not offered yet; the capability must be one of {string.Join(", ", Supported)}."
                : $"The capability must be one of {string.Join(", ", Supported)}."];
        }

        if (payload.ValueKind != JsonValueKind.Object)
        {
            errors["payload"] = ["The payload must be a JSON object."];
            return;
        }

        switch (capability)
        {
            case Capabilities.SendSms or Capabilities.SendWhatsApp:
                RequireText(payload, "to", "The recipient's number in E.164 form (+14155550100) is required.", errors);
                RequireText(payload, "text", "The text field is required.", errors);
                if (Text(payload, "to") is { } to && !System.Text.RegularExpressions.Regex.IsMatch(to, @"^\+[1-9]\d{6,14}$"))
                {
                    errors["payload.to"] = ["The recipient's number must be in E.164 form, like +14155550100."];
                }

                break;
            case Capabilities.SendEmail:
                RequireText(payload, "text", "The text field is required.", errors);
                break;
            case Capabilities.InitiatePayment:
                if (!payload.TryGetProperty("amount", out var amount) || amount.ValueKind != JsonValueKind.Number || !amount.TryGetInt64(out var cents) || cents < 1)
                {
                    errors["payload.amount"] = ["The amount must be a whole number of 1 or more, in the currency's smallest unit (cents)."];
                }

                if (Text(payload, "currency") is not { Length: 3 } currency || !currency.All(char.IsAsciiLetter))
                {
                    errors["payload.currency"] = ["The currency must be a three-letter ISO code, like usd."];
                }

                break;
        }
    }

    private static void RequireText(JsonElement payload, string field, string message, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(Text(payload, field)))
        {
            errors[$"payload.{field}"] = [message];
        }
    }

    private static string? Text(JsonElement payload, string field) =>
        payload.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
