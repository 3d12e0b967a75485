namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>MQTT control packet types: the high nibble of the fixed header's first byte.</summary>
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
    /// <summary>Orderly goodbye from the client: the broker discards the will. In MQTT 5.0 either side may send it, with a reason code.</summary>
    Disconnect = 14,
    /// <summary>MQTT 5.0 enhanced authentication exchange (reserved in 3.1.1); this client does not support it.</summary>
    Auth = 15,
}

/// <summary>The protocol a connection speaks; the value is the CONNECT packet's protocol level.</summary>
public enum MqttProtocolVersion : byte
{
    V311 = 4,
    V500 = 5,
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

/// <summary>The last will the broker publishes when the connection ends without DISCONNECT; <paramref name="Properties"/> are sent only over MQTT 5.0.</summary>
public sealed record MqttWill(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos = MqttQos.AtMostOnce, bool Retain = false, MqttProperties? Properties = null);

/// <summary>CONNECT. In MQTT 5.0, <paramref name="CleanSession"/> is the Clean Start flag and the session's lifetime is the Session Expiry Interval property.</summary>
public sealed record ConnectPacket(
    string ClientId,
    bool CleanSession,
    ushort KeepAliveSeconds,
    string? UserName,
    string? Password,
    MqttWill? Will,
    MqttProtocolVersion ProtocolVersion = MqttProtocolVersion.V311,
    MqttProperties? Properties = null) : MqttPacket(MqttPacketType.Connect)
{
    // The password must never reach logs or exception messages through a record's generated ToString.
    public override string ToString() => $"CONNECT {{ ClientId = {ClientId}, CleanSession = {CleanSession}, KeepAlive = {KeepAliveSeconds}, Version = {ProtocolVersion} }}";
}

/// <summary>CONNACK: a 3.1.1 return code (0-5) or a 5.0 reason code (0 or 0x80 and up), and in 5.0 the broker's limits as properties.</summary>
public sealed record ConnAckPacket(bool SessionPresent, byte ReturnCode, MqttProperties? Properties = null) : MqttPacket(MqttPacketType.ConnAck);

public sealed record PublishPacket(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    MqttQos Qos,
    bool Retain,
    bool Dup,
    ushort PacketId,
    MqttProperties? Properties = null) : MqttPacket(MqttPacketType.Publish);

/// <summary>
/// PUBACK, PUBREC, PUBREL, PUBCOMP (and a 3.1.1 UNSUBACK): a packet id, and in MQTT 5.0 a reason code and
/// properties, both left off the wire when they are 0 and empty.
/// </summary>
public sealed record PacketIdPacket(MqttPacketType Kind, ushort PacketId, byte ReasonCode = 0, MqttProperties? Properties = null) : MqttPacket(Kind);

/// <summary>One filter; the last three are MQTT 5.0 subscription options (section 3.8.3.1).</summary>
public sealed record MqttSubscription(string TopicFilter, MqttQos Qos, bool NoLocal = false, bool RetainAsPublished = false, byte RetainHandling = 0);

public sealed record SubscribePacket(ushort PacketId, IReadOnlyList<MqttSubscription> Subscriptions, MqttProperties? Properties = null) : MqttPacket(MqttPacketType.Subscribe);

/// <summary>
/// SUBACK: one return code per requested filter (0-2 granted QoS; 0x80 failure, in 5.0 any code from 0x80 up).
/// An MQTT 5.0 UNSUBACK has the same shape (reason codes per filter) and is decoded into this with <paramref name="Kind"/> UnsubAck.
/// </summary>
public sealed record SubAckPacket(ushort PacketId, IReadOnlyList<byte> ReturnCodes, MqttProperties? Properties = null, MqttPacketType Kind = MqttPacketType.SubAck)
    : MqttPacket(Kind);

public sealed record UnsubscribePacket(ushort PacketId, IReadOnlyList<string> TopicFilters, MqttProperties? Properties = null) : MqttPacket(MqttPacketType.Unsubscribe);

/// <summary>MQTT 5.0 DISCONNECT, from either side: a reason code (0 normal) and properties such as a Reason String.</summary>
public sealed record DisconnectPacket(byte ReasonCode, MqttProperties? Properties = null) : MqttPacket(MqttPacketType.Disconnect);

/// <summary>PINGREQ, PINGRESP and the 3.1.1 DISCONNECT: the fixed header alone.</summary>
public sealed record EmptyPacket(MqttPacketType Kind) : MqttPacket(Kind)
{
    public static readonly EmptyPacket PingReq = new(MqttPacketType.PingReq);
    public static readonly EmptyPacket PingResp = new(MqttPacketType.PingResp);
    public static readonly EmptyPacket Disconnect = new(MqttPacketType.Disconnect);
}
