using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Security;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>Turns an MQTT integration's properties into broker settings; shared by verification and delivery.</summary>
public static class MqttIntegrationOptions
{
    /// <exception cref="ArgumentException">A setting MQTT does not allow.</exception>
    /// <exception cref="CryptographicException">A certificate or key that does not load (or a key that is not the certificate's).</exception>
    public static MqttBrokerSettings From(ConfiguredIntegration integration)
    {
        var tls = integration.Get("tls") == "true";
        var willTopic = integration.Get("will_topic");
        return new MqttBrokerSettings
        {
            Host = integration.Get("host")!,
            Port = int.TryParse(integration.Get("port"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : tls ? 8883 : 1883,
            ProtocolVersion = IsV5(integration) ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311,
            // A stable id per integration when none is given, so a persistent session finds itself again.
            ClientId = integration.Get("client_id") is { Length: > 0 } clientId ? clientId : $"portal-{integration.Id.ToString("N")[^16..]}",
            UserName = integration.Get("username") is { Length: > 0 } user ? user : null,
            Password = integration.Get("password") is { Length: > 0 } password ? password : null,
            Tls = tls
                ? new MqttTlsSettings
                {
                    CaCertificate = PrivateCaTrust.Load(integration.Get("ca_certificate")),
                    ClientCertificate = ClientCertificate(integration.Get("client_certificate"), integration.Get("client_key")),
                }
                : null,
            Will = willTopic is { Length: > 0 }
                ? new MqttWill(willTopic, Encoding.UTF8.GetBytes(integration.Get("will_payload") ?? ""), MqttQualityOfServiceLevel.AtLeastOnce)
                : null,
        };
    }

    public static bool IsV5(ConfiguredIntegration integration) => integration.Get("protocol_version") == "5.0";

    /// <summary>The certificate with its private key (both PEM), or null when the integration has none.</summary>
    private static X509Certificate2? ClientCertificate(string? certificate, string? key)
    {
        if (string.IsNullOrWhiteSpace(certificate) || string.IsNullOrWhiteSpace(key))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(certificate, key);
        }
        catch (ArgumentException e)
        {
            // A certificate replaced while the stored key was kept; the form checks the pair only when both are new.
            throw new CryptographicException("The client private key does not belong to the client certificate.", e);
        }
    }

    /// <summary>The MQTT 5.0 properties every message of the integration carries: its expiry and user properties. Null over 3.1.1.</summary>
    public static MqttMessageProperties? MessageProperties(ConfiguredIntegration integration)
    {
        if (!IsV5(integration))
        {
            return null;
        }

        var expiry = double.TryParse(integration.Get("message_expiry_seconds"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? (uint)Math.Min(Math.Ceiling(seconds), uint.MaxValue)
            : (uint?)null;
        var map = integration.Get("user_properties") is { Length: > 0 } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : [];
        return new MqttMessageProperties { MessageExpiryInterval = expiry, UserProperties = [.. map] };
    }
}
