using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// Checks property values against a type's schema and brings them to one canonical text form
/// (lists comma-separated, maps as a JSON object, booleans as true/false). The form calls
/// <see cref="ValidateOne"/> as the operator types; the service calls <see cref="Validate"/>
/// before anything is written, so the API gets the same rules.
/// </summary>
public static partial class PropertyValidator
{
    public const int MaxTextLength = 2000;
    public const int MaxSecretLength = 4096;
    public const int MaxCertificateLength = 16 * 1024;

    /// <summary>
    /// What an update puts in place of a secret it keeps without opening it (IntegrationService's merge):
    /// present for "required", not checkable for its form.
    /// </summary>
    public const string StoredSecret = "(stored)";

    /// <summary>Validates every visible property of <paramref name="type"/>; throws with all field errors.</summary>
    public static Dictionary<string, string> Validate(IntegrationType type, IReadOnlyDictionary<string, string?> values)
    {
        var errors = new Dictionary<string, string[]>();
        var result = new Dictionary<string, string>();
        foreach (var unknown in values.Keys.Where(k => type.Property(k) is null))
        {
            errors[unknown] = [$"{type.DisplayName} has no property '{unknown}'."];
        }

        foreach (var spec in type.Properties.Where(p => p.IsVisible(values)))
        {
            values.TryGetValue(spec.Name, out var raw);
            var (value, error) = Check(spec, raw);
            if (error is not null)
            {
                errors[spec.Name] = [error];
            }
            else if (value is not null)
            {
                result[spec.Name] = value;
            }
        }

        foreach (var key in type.Properties.Where(p => p.PairsWith is not null && p.IsVisible(values) && !errors.ContainsKey(p.Name)))
        {
            CheckPair(type, key, result, errors);
        }

        if (errors.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, "Some properties are not valid.", errors);
        }

        return result;
    }

    /// <summary>The message for one field, or null when it is fine.</summary>
    public static string? ValidateOne(PropertySpec spec, string? raw) => Check(spec, raw).Error;

    /// <summary>(canonical value or null when empty, error or null): the type's check, then the property's own rule.</summary>
    private static (string? Value, string? Error) Check(PropertySpec spec, string? raw)
    {
        var (value, error) = CheckType(spec, raw);
        return value is not null && value != StoredSecret && spec.Rule?.Invoke(value) is { } broken ? (null, broken) : (value, error);
    }

    private static (string? Value, string? Error) CheckType(PropertySpec spec, string? raw)
    {
        var text = raw?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return spec.Required ? (null, $"{spec.Label} is required.") : (null, null);
        }

        if (spec.Sensitive && raw == StoredSecret)
        {
            return (StoredSecret, null); // kept without being opened, so its form cannot be checked
        }

        return spec.Type switch
        {
            PropertyType.String => text.Length <= MaxTextLength ? (text, null) : (null, $"At most {MaxTextLength} characters."),
            PropertyType.Secret => raw!.Length <= MaxSecretLength ? (raw, null) : (null, $"At most {MaxSecretLength} characters."),
            PropertyType.Number => CheckNumber(spec, text),
            PropertyType.Bool => bool.TryParse(text, out var flag) ? (flag ? "true" : "false", null) : (null, "Must be true or false."),
            PropertyType.Enum => spec.Options.FirstOrDefault(o => string.Equals(o, text, StringComparison.OrdinalIgnoreCase)) is { } option
                ? (option, null)
                : (null, $"Must be one of {string.Join(", ", spec.Options)}."),
            PropertyType.Url => Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                && !string.IsNullOrEmpty(uri.Host)
                ? (uri.ToString(), null)
                : (null, "Enter a full http:// or https:// URL."),
            PropertyType.EmailList => CheckList(spec, text, IsEmail, "is not a valid email address"),
            PropertyType.PhoneList => CheckList(spec, text, s => E164().IsMatch(s), "is not a phone number in E.164 form (+14155550100)"),
            PropertyType.KeyValueMap => CheckMap(text),
            PropertyType.ResourceReference => ResourceReferencePattern().IsMatch(text) ? (text, null) : (null, "Pick a place or device."),
            PropertyType.Cron => Quartz.CronExpression.TryParse(text, out _)
                ? (text, null)
                : (null, "Not a cron schedule. Six fields, seconds first, e.g. 0 0/15 * * * ? for every 15 minutes."),
            PropertyType.Certificate => CheckCertificate(text),
            PropertyType.PrivateKey => CheckPrivateKey(raw!),
            _ => (null, "Unsupported property type."),
        };
    }

    private static (string?, string?) CheckNumber(PropertySpec spec, string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            return (null, "Must be a number.");
        }

        if (number < spec.Min || number > spec.Max)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"Must be between {spec.Min} and {spec.Max}."));
        }

        return (number.ToString(CultureInfo.InvariantCulture), null);
    }

    private static (string?, string?) CheckList(PropertySpec spec, string text, Func<string, bool> isValid, string problem)
    {
        var items = SplitList(text);
        if (items.FirstOrDefault(i => !isValid(i)) is { } bad)
        {
            return (null, $"'{bad}' {problem}.");
        }

        if (items.Count > spec.MaxItems)
        {
            return (null, spec.MaxItems == 1 ? "Enter one value." : $"At most {spec.MaxItems} entries.");
        }

        return items.Count == 0 && spec.Required ? (null, $"{spec.Label} is required.") : (string.Join(",", items.Distinct()), null);
    }

    private static (string?, string?) CheckMap(string text)
    {
        try
        {
            var map = JsonSerializer.Deserialize<Dictionary<string, string>>(text);
            if (map is null || map.Keys.Any(string.IsNullOrWhiteSpace))
            {
                return (null, "Every entry needs a name.");
            }

            return map.Count == 0 ? (null, null) : (JsonSerializer.Serialize(map), null);
        }
        catch (JsonException)
        {
            return (null, "Must be a JSON object of names to text values.");
        }
    }

    private static (string?, string?) CheckCertificate(string text)
    {
        if (text.Length > MaxCertificateLength)
        {
            return (null, $"At most {MaxCertificateLength} characters.");
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(text);
            return (text, null);
        }
        catch (CryptographicException)
        {
            return (null, "Not a PEM certificate: paste it whole, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.");
        }
    }

    private static (string?, string?) CheckPrivateKey(string raw)
    {
        if (raw == StoredSecret)
        {
            return (raw, null);
        }

        if (raw.Length > MaxCertificateLength)
        {
            return (null, $"At most {MaxCertificateLength} characters.");
        }

        // Kept as typed (a secret is never trimmed or rewritten), but it must be a key the portal can use.
        foreach (var algorithm in new Func<AsymmetricAlgorithm>[] { RSA.Create, ECDsa.Create })
        {
            using var key = algorithm();
            try
            {
                key.ImportFromPem(raw);
                return (raw, null);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
            }
        }

        return (null, "Not a PEM private key: paste it whole, from -----BEGIN PRIVATE KEY----- (or RSA / EC PRIVATE KEY) to its END line. Encrypted keys are not supported.");
    }

    /// <summary>A key needs its certificate and the certificate its key; when both are new they must belong together.</summary>
    private static void CheckPair(IntegrationType type, PropertySpec key, Dictionary<string, string> values, Dictionary<string, string[]> errors)
    {
        var certificateSpec = type.Property(key.PairsWith!)!;
        var certificate = values.GetValueOrDefault(certificateSpec.Name);
        var keyText = values.GetValueOrDefault(key.Name);
        if (certificate is null && keyText is not null)
        {
            errors[certificateSpec.Name] = [$"{certificateSpec.Label} is required with {key.Label}."];
        }
        else if (certificate is not null && keyText is null)
        {
            errors[key.Name] = [$"{key.Label} is required with {certificateSpec.Label}."];
        }
        else if (certificate is not null && keyText is not null and not StoredSecret && !errors.ContainsKey(certificateSpec.Name))
        {
            try
            {
                using var pair = X509Certificate2.CreateFromPem(certificate, keyText);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                errors[key.Name] = [$"This key does not belong to the certificate in {certificateSpec.Label}."];
            }
        }
    }

    public static List<string> SplitList(string? text) =>
        (text ?? "").Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static bool IsEmail(string text) =>
        MailAddress.TryCreate(text, out var address) && address.Address == text && text.Contains('.', StringComparison.Ordinal);

    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^(places/[0-9a-fA-F-]{36}(/devices/[0-9a-fA-F-]{36})?|devices/[0-9a-fA-F-]{36})$")]
    private static partial Regex ResourceReferencePattern();
}
