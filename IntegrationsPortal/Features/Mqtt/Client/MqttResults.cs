namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// The broker's acknowledgement of a publish: for QoS 1 its PUBACK, for QoS 2 the PUBREC/PUBREL/PUBCOMP
/// exchange; for QoS 0 only that the bytes were written to the socket. Over MQTT 5.0 also the reason code
/// (the PUBACK's, or for QoS 2 the PUBREC's, which says more than the PUBCOMP's) and any Reason String.
/// </summary>
public sealed record MqttPublishResult(MqttQos Qos, ushort PacketId, byte? ReasonCode = null, string? ReasonString = null)
{
    public string Acknowledgement => Qos switch
    {
        MqttQos.AtLeastOnce => $"PUBACK for packet {PacketId}{Reason(": ")}",
        MqttQos.ExactlyOnce => $"PUBCOMP for packet {PacketId}{Reason("; PUBREC said ")}",
        _ => "none (QoS 0 is not acknowledged)",
    };

    private string Reason(string lead) =>
        ReasonCode is { } code ? $"{lead}{MqttReasonCodes.Describe(code)}{MqttReasonCodes.Saying(ReasonString)}" : "";
}

/// <summary>A message the broker delivered to one of this connection's subscriptions; <paramref name="Properties"/> only over MQTT 5.0.</summary>
public sealed record MqttMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos, bool Retain, bool Dup, MqttProperties? Properties = null);

public enum MqttConnectionState
{
    NotConnected,
    Connecting,
    Connected,
    /// <summary>The link dropped; the connection is trying again with backoff and holds unacknowledged publishes.</summary>
    Reconnecting,
    /// <summary>Disconnected on purpose, disposed, or refused for good (e.g. bad credentials).</summary>
    Closed,
}

public sealed class MqttDisconnectedEventArgs(MqttException reason, bool willReconnect) : EventArgs
{
    public MqttException Reason { get; } = reason;

    public bool WillReconnect { get; } = willReconnect;
}
