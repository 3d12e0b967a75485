using System.Globalization;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;

namespace IntegrationsPortal.Features.Delivery.Senders;

// Typed settings per type, read once from the stored properties (as MqttIntegrationOptions does), so
// senders and verifiers never look a property up by its name. Classes, not records: a record's
// ToString would print the secrets they carry.

/// <summary>How a webhook or HTTP integration authenticates.</summary>
public enum EndpointAuth
{
    None,
    Basic,
    Digest,
    ApiKey,
}

/// <summary>Where a webhook or HTTP integration sends, and how it logs in; what their verifier checks.</summary>
public sealed class EndpointOptions
{
    public required string Url { get; init; }

    public EndpointAuth Auth { get; init; }

    public string Username { get; init; } = "";

    public string Password { get; init; } = "";

    public static EndpointOptions From(ConfiguredIntegration c) => new()
    {
        Url = c.Get("url") ?? "",
        Auth = c.Get("auth") switch
        {
            "BASIC" => EndpointAuth.Basic,
            "DIGEST" => EndpointAuth.Digest,
            "API_KEY" => EndpointAuth.ApiKey,
            _ => EndpointAuth.None,
        },
        Username = c.Get("username") ?? "",
        Password = c.Get("password") ?? "",
    };
}

/// <summary>A webhook's settings: endpoint, headers and signing secrets.</summary>
public sealed class WebhookIntegrationOptions
{
    public required EndpointOptions Endpoint { get; init; }

    /// <summary>Custom headers as the form stores them, a JSON object.</summary>
    public string? Headers { get; init; }

    /// <summary>Headers opened from the vault, same form; sent last.</summary>
    public string? SecretHeaders { get; init; }

    public string? SigningSecret { get; init; }

    /// <summary>The secret a rotation replaced, and until when it still signs.</summary>
    public string? PreviousSigningSecret { get; init; }

    public DateTimeOffset? PreviousSigningSecretExpires { get; init; }

    public static WebhookIntegrationOptions From(ConfiguredIntegration c) => new()
    {
        Endpoint = EndpointOptions.From(c),
        Headers = c.Get("headers"),
        SecretHeaders = c.Get(HeaderMaps.SecretProperty),
        SigningSecret = c.Get(SigningSecrets.Current) is { Length: > 0 } current ? current : null,
        PreviousSigningSecret = c.Get(SigningSecrets.Previous) is { Length: > 0 } previous ? previous : null,
        PreviousSigningSecretExpires = DateTimeOffset.TryParse(c.Get(SigningSecrets.PreviousExpires), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires)
            ? expires
            : null,
    };

    /// <summary>The current secret, and during a rotation's grace period the previous one too.</summary>
    public IEnumerable<string> SecretsToSignWith(DateTimeOffset now)
    {
        if (SigningSecret is { } current)
        {
            yield return current;
        }

        if (PreviousSigningSecret is { } previous && PreviousSigningSecretExpires > now)
        {
            yield return previous;
        }
    }
}

/// <summary>An HTTP integration's settings, its retry strategy included.</summary>
public sealed class HttpIntegrationOptions
{
    public required EndpointOptions Endpoint { get; init; }

    public string Method { get; init; } = "POST";

    public string ApiKeyHeader { get; init; } = "X-API-Key";

    public string ApiKey { get; init; } = "";

    public string? Headers { get; init; }

    /// <summary>Headers opened from the vault; sent last.</summary>
    public string? SecretHeaders { get; init; }

    /// <summary>JSON, XML or FORM.</summary>
    public string ContentType { get; init; } = "JSON";

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public required Func<int, bool> IsSuccess { get; init; }

    public required RetryPolicy Retries { get; init; }

    public static HttpIntegrationOptions From(ConfiguredIntegration c) => new()
    {
        Endpoint = EndpointOptions.From(c),
        Method = c.Get("method") ?? "POST",
        ApiKeyHeader = c.Get("api_key_header") ?? "X-API-Key",
        ApiKey = c.Get("api_key") ?? "",
        Headers = c.Get("headers"),
        SecretHeaders = c.Get(HeaderMaps.SecretProperty),
        ContentType = c.Get("content_type") ?? "JSON",
        Timeout = TimeSpan.FromSeconds(double.TryParse(c.Get("timeout_seconds"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 30),
        IsSuccess = HttpDelivery.ParseSuccessCodes(c.Get("success_codes")),
        Retries = RetryStrategy(c),
    };

    /// <summary>retry_strategy: DEFAULT (the portal's schedule), NONE, FIXED or EXPONENTIAL with its interval, cap and attempts.</summary>
    private static RetryPolicy RetryStrategy(ConfiguredIntegration c)
    {
        var attempts = Positive(c, "retry_max_attempts", 8);
        var interval = TimeSpan.FromSeconds(Positive(c, "retry_interval_seconds", 60));
        var max = TimeSpan.FromSeconds(Positive(c, "retry_max_delay_seconds", 3600));
        return c.Get("retry_strategy") switch
        {
            "NONE" => RetryPolicy.None,
            "FIXED" => new RetryPolicy(Enumerable.Repeat(interval, attempts - 1).ToList()),
            "EXPONENTIAL" => new RetryPolicy(Enumerable.Range(0, attempts - 1)
                .Select(i => TimeSpan.FromTicks(Math.Min(max.Ticks, interval.Ticks * (long)Math.Pow(2, Math.Min(i, 30))))).ToList()),
            _ => RetryPolicy.Default,
        };
    }

    private static int Positive(ConfiguredIntegration c, string name, int fallback) =>
        int.TryParse(c.Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

/// <summary>An email integration's settings: the SMTP server, the login, and who gets what.</summary>
public sealed class EmailIntegrationOptions
{
    /// <summary>The flag that makes an email integration the organization's channel for portal alerts.</summary>
    public const string AlertsProperty = "alerts";

    public required string Host { get; init; }

    public int Port { get; init; } = 587;

    public bool StartTls { get; init; }

    /// <summary>A private CA to trust for STARTTLS (PEM), if any.</summary>
    public string? CaCertificate { get; init; }

    /// <summary>Null when the server takes mail without a login.</summary>
    public string? Username { get; init; }

    public string Password { get; init; } = "";

    public required string FromAddress { get; init; }

    public required IReadOnlyList<string> Recipients { get; init; }

    public bool SendsAlerts { get; init; }

    public static EmailIntegrationOptions From(ConfiguredIntegration c) => new()
    {
        Host = c.Get("smtp_host") ?? "",
        Port = int.TryParse(c.Get("smtp_port"), CultureInfo.InvariantCulture, out var port) ? port : 587,
        StartTls = c.Get("starttls") == "true",
        CaCertificate = c.Get("ca_certificate"),
        Username = c.Get("username") is { Length: > 0 } user ? user : null,
        Password = c.Get("password") ?? "",
        FromAddress = c.Get("from") ?? "",
        Recipients = PropertyValidator.SplitList(c.Get("recipients")),
        SendsAlerts = c.Get(AlertsProperty) == "true",
    };
}

/// <summary>A Twilio account's settings (the Twilio, SMS and phone types), and the channel it sends on.</summary>
public sealed class TwilioIntegrationOptions
{
    public required string AccountSid { get; init; }

    public required string AuthToken { get; init; }

    public required string FromNumber { get; init; }

    public string BaseUrl { get; init; } = "https://api.twilio.com";

    /// <summary>Texts go out as WhatsApp messages (<c>whatsapp:+E164</c> addresses) rather than SMS.</summary>
    public bool WhatsApp { get; init; }

    public static TwilioIntegrationOptions From(ConfiguredIntegration c) => new()
    {
        AccountSid = c.Get("account_sid") ?? "",
        AuthToken = c.Get("auth_token") ?? "",
        FromNumber = c.Get("from_number") ?? "",
        BaseUrl = (c.Get("base_url") ?? "https://api.twilio.com").TrimEnd('/'),
        WhatsApp = c.Get(TwilioChannels.Property) == TwilioChannels.WhatsApp,
    };
}

/// <summary>A Plivo account's settings.</summary>
public sealed class PlivoIntegrationOptions
{
    public required string AuthId { get; init; }

    public required string AuthToken { get; init; }

    public required string FromNumber { get; init; }

    public string BaseUrl { get; init; } = "https://api.plivo.com";

    public static PlivoIntegrationOptions From(ConfiguredIntegration c) => new()
    {
        AuthId = c.Get("auth_id") ?? "",
        AuthToken = c.Get("auth_token") ?? "",
        FromNumber = c.Get("from_number") ?? "",
        BaseUrl = (c.Get("base_url") ?? "https://api.plivo.com").TrimEnd('/'),
    };
}
