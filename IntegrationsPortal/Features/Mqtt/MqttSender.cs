using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Infrastructure.Http;
using MQTTnet.Protocol;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>
/// Delivers a message by publishing its payload to the integration's topic, with its QoS and
/// retain flag (and over MQTT 5.0 its message expiry and user properties), over the integration's
/// shared connection. The history records the broker's acknowledgement (PUBACK, PUBCOMP, with the
/// 5.0 reason code). Topic placeholders like <c>{deviceId}</c> take the payload's top-level fields of that name.
/// </summary>
[ForTypes(TypeKeys.Mqtt)]
public sealed partial class MqttSender(MqttConnections connections, DeliveryOptions options) : IDeliverySender
{

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var integration = message.Integration;
        var qos = (MqttQualityOfServiceLevel)int.Parse(integration.Get("qos") ?? "1", CultureInfo.InvariantCulture);
        var retain = integration.Get("retain") == "true";
        // A flow's topic arrives rendered from its own {{field}} template; it replaces the integration's.
        var topic = MessageParameters.Get(message, MessageParameters.Topic) ?? ResolveTopic(integration.Get("topic") ?? "", message.Payload);
        var properties = MqttIntegrationOptions.MessageProperties(integration);
        var outcome = new DeliveryOutcome
        {
            Url = $"mqtt{(integration.Get("tls") == "true" ? "s" : "")}://{integration.Get("host")}:{integration.Get("port")}/{topic}",
            Method = $"PUBLISH QoS {(int)qos}{(retain ? " retain" : "")}{(message.MayBeDuplicate && qos != MqttQualityOfServiceLevel.AtMostOnce ? " DUP" : "")}",
            RequestHeaders = properties is null ? null : Describe(properties),
            RequestBody = message.Payload,
        };
        try
        {
            var connection = await connections.GetAsync(integration, ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.MqttPublishTimeout);
            var result = await connection.PublishAsync(topic, Encoding.UTF8.GetBytes(message.Payload), qos, retain, properties, message.MayBeDuplicate, timeout.Token);
            return outcome with { ResponseBody = result.Acknowledgement };
        }
        catch (ArgumentException e)
        {
            var errorClass = e.ParamName switch
            {
                "properties" => "invalid_properties",
                "topic" => "invalid_topic",
                _ => "invalid_settings",
            };
            return outcome with { Failure = FailureKind.Final, ErrorClass = errorClass, ErrorMessage = e.Message };
        }
        catch (MqttPublishRefusedException e)
        {
            // This one message was refused (MQTT 5.0 reason code); the connection is fine and stays open.
            return outcome with
            {
                Failure = e.IsTransient ? FailureKind.Retry : FailureKind.Final,
                ErrorClass = "publish_refused",
                ErrorMessage = e.Message,
                ResponseBody = MqttReasonCodes.Describe(e.ReasonCode),
            };
        }
        catch (OutboundAddressRefusedException e)
        {
            // The broker's address is one the portal may not reach: retrying cannot change that.
            return outcome with { Failure = FailureKind.Final, ErrorClass = "refused_address", ErrorMessage = e.Message };
        }
        catch (MqttConnectRefusedException e) when (!e.IsTransient)
        {
            return outcome with { Failure = FailureKind.Final, ErrorClass = "connect_refused", ErrorMessage = e.Message };
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            return outcome with { Failure = FailureKind.Final, ErrorClass = "invalid_certificate", ErrorMessage = $"The MQTT TLS certificates do not load: {e.Message}" };
        }
        catch (MqttBrokerException e)
        {
            await connections.DropAsync(integration.Id);
            return outcome with { Failure = FailureKind.Retry, ErrorClass = "broker_unreachable", ErrorMessage = e.Message };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The PUBLISH may have reached the broker and gone on to subscribers: not a failure, an unknown.
            // A link that left a publish unanswered is not trusted with the next one: the retry reconnects.
            await connections.DropAsync(integration.Id);
            var seconds = options.MqttPublishTimeout.TotalSeconds;
            return qos == MqttQualityOfServiceLevel.AtMostOnce
                ? outcome with { Failure = FailureKind.Throttled, ErrorClass = "timeout", ErrorMessage = $"The broker did not take the message within {seconds:0} s." }
                : outcome with
                {
                    Failure = FailureKind.Throttled,
                    OutcomeUnknown = true,
                    ErrorClass = "outcome_unknown",
                    ErrorMessage = $"Outcome unknown: the broker did not acknowledge within {seconds:0} s, so it may have delivered the message. "
                                   + "It is tried again marked as a possible duplicate (DUP).",
                };
        }
    }

    /// <summary>The 5.0 properties as the history shows them, one per line like request headers.</summary>
    private static string Describe(MqttMessageProperties properties) =>
        string.Join('\n', [
            "Protocol: MQTT 5.0",
            .. properties.MessageExpiryInterval is { } expiry ? [$"Message-Expiry-Interval: {expiry}"] : Array.Empty<string>(),
            .. properties.UserProperties.Select(p => $"User-Property: {p.Key}={p.Value}"),
        ]);

    /// <summary>Replaces {name} with the payload's top-level field of that name; an unknown one stays as it is (and is refused as a topic).</summary>
    public static string ResolveTopic(string template, string payload)
    {
        Dictionary<string, string> fields;
        try
        {
            using var json = JsonDocument.Parse(payload);
            fields = json.RootElement.ValueKind == JsonValueKind.Object
                ? json.RootElement.EnumerateObject()
                    .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                    .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
                : [];
        }
        catch (JsonException)
        {
            fields = [];
        }

        return Placeholder().Replace(template, match => fields.TryGetValue(match.Groups[1].Value, out var value) ? value : match.Value);
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();
}
