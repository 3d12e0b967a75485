namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>MQTT 3.1.1 control packet types: the high nibble of the fixed header's first byte.</summary>
public enum MqttPacketType : byte
{
    /// <summary>Client asks to connect (with credentials and will).</summary>
    Connect = 1,
    /// <summary>Broker accepts or refuses the CONNECT.</summary>
    ConnAck = 2,
    /// <summary>A message, in either direction.</summary>
    Publish = 3,
    /// <summary>QoS 1: received.</summary>
    PubAck = 4,
    /// <summary>QoS 2, step 1: received, not yet released.</summary>
    PubRec = 5,
    /// <summary>QoS 2, step 2: the sender releases the message.</summary>
    PubRel = 6,
    /// <summary>QoS 2, step 3: complete.</summary>
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    /// <summary>Keep-alive probe from the client; the broker must answer with PINGRESP.</summary>
    PingReq = 12,
    PingResp = 13,
    /// <summary>Orderly goodbye from the client: the broker discards the will.</summary>
    Disconnect = 14,
}

/// <summary>Delivery guarantee of a message (MQTT 3.1.1 section 4.3).</summary>
public enum MqttQos : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}

/// <summary>One decoded or to-be-encoded control packet.</summary>
public abstract record MqttPacket(MqttPacketType Type);

/// <summary>The last will the broker publishes when the connection ends without DISCONNECT.</summary>
public sealed record MqttWill(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos = MqttQos.AtMostOnce, bool Retain = false);

public sealed record ConnectPacket(
    string ClientId,
    bool CleanSession,
    ushort KeepAliveSeconds,
    string? UserName,
    string? Password,
    MqttWill? Will) : MqttPacket(MqttPacketType.Connect)
{
    // The password must never reach logs or exception messages through a record's generated ToString.
    public override string ToString() => $"CONNECT {{ ClientId = {ClientId}, CleanSession = {CleanSession}, KeepAlive = {KeepAliveSeconds} }}";
}

public sealed record ConnAckPacket(bool SessionPresent, byte ReturnCode) : MqttPacket(MqttPacketType.ConnAck);

public sealed record PublishPacket(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    MqttQos Qos,
    bool Retain,
    bool Dup,
    ushort PacketId) : MqttPacket(MqttPacketType.Publish);

/// <summary>PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: a packet id and nothing else.</summary>
public sealed record PacketIdPacket(MqttPacketType Kind, ushort PacketId) : MqttPacket(Kind);

public sealed record MqttSubscription(string TopicFilter, MqttQos Qos);

public sealed record SubscribePacket(ushort PacketId, IReadOnlyList<MqttSubscription> Subscriptions) : MqttPacket(MqttPacketType.Subscribe);

/// <summary>SUBACK: one return code per requested filter (0-2 granted QoS, 0x80 failure).</summary>
public sealed record SubAckPacket(ushort PacketId, IReadOnlyList<byte> ReturnCodes) : MqttPacket(MqttPacketType.SubAck);

public sealed record UnsubscribePacket(ushort PacketId, IReadOnlyList<string> TopicFilters) : MqttPacket(MqttPacketType.Unsubscribe);

/// <summary>PINGREQ, PINGRESP and DISCONNECT: the fixed header alone.</summary>
public sealed record EmptyPacket(MqttPacketType Kind) : MqttPacket(Kind)
{
    public static readonly EmptyPacket PingReq = new(MqttPacketType.PingReq);
    public static readonly EmptyPacket PingResp = new(MqttPacketType.PingResp);
    public static readonly EmptyPacket Disconnect = new(MqttPacketType.Disconnect);
}
