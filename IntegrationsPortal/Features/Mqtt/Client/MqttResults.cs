namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// The broker's acknowledgement of a publish: for QoS 1 its PUBACK, for QoS 2 the PUBREC/PUBREL/PUBCOMP
/// exchange; for QoS 0 only that the bytes were written to the socket.
/// </summary>
public sealed record MqttPublishResult(MqttQos Qos, ushort PacketId)
{
    public string Acknowledgement => Qos switch
    {
        MqttQos.AtLeastOnce => $"PUBACK for packet {PacketId}",
        MqttQos.ExactlyOnce => $"PUBCOMP for packet {PacketId}",
        _ => "none (QoS 0 is not acknowledged)",
    };
}

/// <summary>A message the broker delivered to one of this connection's subscriptions.</summary>
public sealed record MqttMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos, bool Retain, bool Dup);

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
