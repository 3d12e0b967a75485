using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>Standard Webhooks signing: <c>v1,</c> + base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>.</summary>
public static class WebhookSignature
{
    public const string Prefix = PropertyRules.SigningSecretPrefix;

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string id, DateTimeOffset timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);
        var content = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }
}

/// <summary>The webhook's hooks: a fresh secret when a new integration has none, and rotation with a grace period.</summary>
[ForTypes(TypeKeys.Webhook)]
public sealed class WebhookSigningSecrets : ISigningSecretHooks
{
    public IReadOnlyDictionary<string, string?> WithGeneratedSecret(IReadOnlyDictionary<string, string?> properties) =>
        properties.GetValueOrDefault(SigningSecrets.Current) is { Length: > 0 }
            ? properties
            : new Dictionary<string, string?>(properties) { [SigningSecrets.Current] = WebhookSignature.NewSecret() };

    public void Rotate(IDictionary<string, string> secrets, IDictionary<string, string> properties, DateTimeOffset validUntil)
    {
        if (secrets.TryGetValue(SigningSecrets.Current, out var old))
        {
            secrets[SigningSecrets.Previous] = old;
            properties[SigningSecrets.PreviousExpires] = validUntil.ToString("O", CultureInfo.InvariantCulture);
        }

        secrets[SigningSecrets.Current] = WebhookSignature.NewSecret();
    }
}
