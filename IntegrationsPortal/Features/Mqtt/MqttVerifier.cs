using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>Verifies an MQTT integration by connecting with its settings (credentials, TLS, client certificate, will) and disconnecting cleanly.</summary>
[ForTypes(TypeKeys.Mqtt)]
public sealed class MqttVerifier(OutboundAddressPolicy policy) : IIntegrationVerifier
{
    private static string VerifierClientId(string clientId) => clientId.Length <= 20 ? clientId + "-v" : clientId[..20] + "-v";

    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration configuration, CancellationToken ct)
    {
        MqttBrokerSettings settings;
        try
        {
            // Its own client id: a broker drops the older of two connections with the same id, and
            // the older one may be the integration's delivery connection.
            var delivery = MqttIntegrationOptions.From(configuration);
            settings = delivery with { ClientId = VerifierClientId(delivery.ClientId) };
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return VerificationResult.Failed($"The MQTT settings are not usable: {e.Message}");
        }

        try
        {
            await using var connection = await MqttBrokerConnection.ConnectAsync(settings, policy, ct);
            return VerificationResult.Success($"Connected to the MQTT broker {settings.Broker}.");
        }
        catch (OutboundAddressRefusedException e)
        {
            // Final: the address will not become allowed by waiting.
            return VerificationResult.Failed(e.Message);
        }
        catch (MqttConnectRefusedException e)
        {
            return e.IsTransient ? VerificationResult.RetryLater(e.Message) : VerificationResult.Failed(e.Message);
        }
        catch (MqttBrokerException e)
        {
            // Network, TLS or timeout: the broker may be back later. The message names the broker, never the password.
            return VerificationResult.RetryLater(e.Message);
        }
    }
}
