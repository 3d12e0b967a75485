using System.Net;
using System.Text;
using System.Text.Json;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// The one place that removes an integration's stored secrets from anything the portal records
/// (verification messages, delivery request and response captures, run notes). A receiver that
/// echoes a request gives the secret back encoded, so each secret is looked for as written and in
/// the forms a request carries it: base64 (also of "user:secret", HTTP Basic), base64url,
/// URL-encoded, hex, and each of those as a JSON string escapes it.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "****";

    // Shorter values would mask ordinary words; the vault refuses none, but 4 characters is no secret anyway.
    private const int ShortestSecret = 4;

    // Longest first, so "user:secret" in base64 goes before a shorter form inside it.
    private readonly string[] _forms;

    private SecretRedactor(string[] forms) => _forms = forms;

    public static SecretRedactor For(ConfiguredIntegration integration) => new(Forms(SecretValues(integration), integration.Properties.Values));

    public static SecretRedactor For(IEnumerable<string> secrets, IEnumerable<string> otherValues) => new(Forms(secrets, otherValues));

    public string Redact(string text)
    {
        foreach (var form in _forms)
        {
            text = text.Replace(form, Mask, StringComparison.Ordinal);
        }

        return text;
    }

    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    // A sealed header map is sent value by value, so each value is a secret of its own.
    private static IEnumerable<string> SecretValues(ConfiguredIntegration integration) =>
        integration.Secrets.SelectMany(secret => integration.Type.Property(secret.Key)?.Type == PropertyType.KeyValueMap
            ? HeaderMaps.Read(secret.Value).Values
            : [secret.Value]);

    private static string[] Forms(IEnumerable<string> secrets, IEnumerable<string> otherValues)
    {
        var secretList = secrets.ToList();
        // The user name may be a plain property or stored in the vault itself.
        var users = otherValues.Concat(secretList).Where(v => v.Length is > 0 and <= 256).ToList();
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secretList.Where(s => s.Length >= ShortestSecret))
        {
            var encoded = new List<string> { secret };
            encoded.AddRange(Encodings(secret));
            // HTTP Basic sends base64("user:password").
            encoded.AddRange(users.Select(user => Base64($"{user}:{secret}")));
            foreach (var form in encoded.Where(f => f.Length >= ShortestSecret))
            {
                forms.Add(form);
                // A JSON echo escapes '+', '/', '=' and quotes (\u002B): look for that spelling too.
                forms.Add(JsonEncodedText.Encode(form).ToString());
            }
        }

        return [.. forms.OrderByDescending(f => f.Length)];
    }

    private static IEnumerable<string> Encodings(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        var base64 = Base64(secret);
        yield return base64;
        yield return base64.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        yield return Uri.EscapeDataString(secret);
        yield return WebUtility.UrlEncode(secret);
        yield return Convert.ToHexStringLower(bytes);
        yield return Convert.ToHexString(bytes);
    }

    // Without padding: the same text matches padded and unpadded copies.
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=');
}
