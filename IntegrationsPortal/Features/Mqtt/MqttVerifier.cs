using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>Verifies an MQTT integration by connecting with its settings (credentials, TLS, will) and disconnecting cleanly.</summary>
[ForTypes(TypeKeys.Mqtt)]
public sealed class MqttVerifier(TimeProvider time) : IIntegrationVerifier
{
    private static string VerifierClientId(string clientId) => clientId.Length <= 20 ? clientId + "-v" : clientId[..20] + "-v";

    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration configuration, CancellationToken ct)
    {
        MqttClientOptions options;
        try
        {
            // Its own client id: a broker drops the older of two connections with the same id, and
            // the older one may be the integration's delivery connection.
            var delivery = MqttIntegrationOptions.From(configuration);
            options = delivery with { ClientId = VerifierClientId(delivery.ClientId) };
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return VerificationResult.Failed($"The MQTT settings are not usable: {e.Message}");
        }

        await using var connection = new MqttConnection(options, time);
        try
        {
            await connection.ConnectAsync(ct);
            await connection.DisconnectAsync();
            return VerificationResult.Success($"Connected to the MQTT broker {options.Host}:{options.Port}.");
        }
        catch (MqttConnectException e)
        {
            return e.IsTransient ? VerificationResult.RetryLater(e.Message) : VerificationResult.Failed(e.Message);
        }
        catch (MqttException e)
        {
            // Network, TLS or timeout: the broker may be back later. The message names the broker, never the password.
            return VerificationResult.RetryLater(e.Message);
        }
    }
}
