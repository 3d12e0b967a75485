using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Mqtt.Client;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>Turns an MQTT integration's properties into client options; shared by verification and delivery.</summary>
public static class MqttIntegrationOptions
{
    public static MqttClientOptions From(ConfiguredIntegration integration)
    {
        var tls = integration.Get("tls") == "true";
        var willTopic = integration.Get("will_topic");
        return new MqttClientOptions
        {
            Host = integration.Get("host")!,
            Port = int.TryParse(integration.Get("port"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : tls ? 8883 : 1883,
            // A stable id per integration when none is given, so a persistent session finds itself again.
            ProtocolVersion = IsV5(integration) ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311,
            ClientId = integration.Get("client_id") is { Length: > 0 } clientId ? clientId : $"portal-{integration.Id.ToString("N")[^16..]}",
            UserName = integration.Get("username") is { Length: > 0 } user ? user : null,
            Password = integration.Get("password") is { Length: > 0 } password ? password : null,
            Tls = tls ? new MqttTlsOptions { CaCertificate = PrivateCaTrust.Load(integration.Get("ca_certificate")) } : null,
            Will = willTopic is { Length: > 0 }
                ? new MqttWill(willTopic, Encoding.UTF8.GetBytes(integration.Get("will_payload") ?? ""), MqttQos.AtLeastOnce)
                : null,
        };
    }

    public static bool IsV5(ConfiguredIntegration integration) => integration.Get("protocol_version") == "5.0";

    /// <summary>The MQTT 5.0 properties every message of the integration carries: its expiry and user properties. Null over 3.1.1.</summary>
    public static MqttProperties? MessageProperties(ConfiguredIntegration integration)
    {
        if (!IsV5(integration))
        {
            return null;
        }

        var expiry = double.TryParse(integration.Get("message_expiry_seconds"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? (uint)Math.Min(Math.Ceiling(seconds), uint.MaxValue)
            : (uint?)null;
        var map = integration.Get("user_properties") is { Length: > 0 } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : [];
        return new MqttProperties
        {
            MessageExpiryInterval = expiry,
            UserProperties = [.. map.Select(pair => new MqttUserProperty(pair.Key, pair.Value))],
        };
    }
}
