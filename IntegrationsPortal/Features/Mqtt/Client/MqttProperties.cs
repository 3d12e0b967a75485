namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>A name/value pair of MQTT 5.0 User Properties; names may repeat and order is kept.</summary>
public sealed record MqttUserProperty(string Name, string Value);

/// <summary>
/// The MQTT 5.0 properties of one packet (section 2.2.2). Unset ones are null (or empty lists) and are
/// not sent. Which properties a packet type may carry is checked when decoding (see <see cref="MqttPacketCodec"/>).
/// </summary>
public sealed record MqttProperties
{
    public static readonly MqttProperties None = new();

    public byte? PayloadFormatIndicator { get; init; }

    /// <summary>Seconds the broker keeps the message for subscribers that have not had it yet (retained or queued).</summary>
    public uint? MessageExpiryInterval { get; init; }

    public string? ContentType { get; init; }

    public string? ResponseTopic { get; init; }

    public ReadOnlyMemory<byte>? CorrelationData { get; init; }

    /// <summary>Only from the broker on PUBLISH (repeatable), or on SUBSCRIBE.</summary>
    public IReadOnlyList<int> SubscriptionIdentifiers { get; init; } = [];

    public uint? SessionExpiryInterval { get; init; }

    public string? AssignedClientIdentifier { get; init; }

    public ushort? ServerKeepAlive { get; init; }

    public string? AuthenticationMethod { get; init; }

    public ReadOnlyMemory<byte>? AuthenticationData { get; init; }

    public byte? RequestProblemInformation { get; init; }

    public uint? WillDelayInterval { get; init; }

    public byte? RequestResponseInformation { get; init; }

    public string? ResponseInformation { get; init; }

    public string? ServerReference { get; init; }

    /// <summary>A human-readable explanation from the other side, for diagnostics only.</summary>
    public string? ReasonString { get; init; }

    public ushort? ReceiveMaximum { get; init; }

    public ushort? TopicAliasMaximum { get; init; }

    public ushort? TopicAlias { get; init; }

    public byte? MaximumQos { get; init; }

    public byte? RetainAvailable { get; init; }

    public IReadOnlyList<MqttUserProperty> UserProperties { get; init; } = [];

    public uint? MaximumPacketSize { get; init; }

    public byte? WildcardSubscriptionAvailable { get; init; }

    public byte? SubscriptionIdentifierAvailable { get; init; }

    public byte? SharedSubscriptionAvailable { get; init; }

    // Authentication data may be a credential; a record's generated ToString would print it.
    public override string ToString() =>
        $"MqttProperties {{ {string.Join(", ", MqttPacketCodec.PropertyIds(this).Select(id => $"0x{id:X2}"))} }}";
}

/// <summary>
/// What the broker's CONNACK said about its limits (MQTT 5.0 section 3.2.2.3), with the spec's defaults for
/// what it left out. A 3.1.1 broker states none, so every default applies.
/// </summary>
public sealed record MqttServerLimits
{
    public static readonly MqttServerLimits Unlimited = new();

    /// <summary>How many QoS 1/2 publishes may await acknowledgement at once; this client never sends more.</summary>
    public int ReceiveMaximum { get; init; } = ushort.MaxValue;

    public MqttQos MaximumQos { get; init; } = MqttQos.ExactlyOnce;

    public bool RetainAvailable { get; init; } = true;

    /// <summary>The largest packet (fixed header included) the broker accepts; null when it set no limit.</summary>
    public uint? MaximumPacketSize { get; init; }

    /// <summary>Read, not used: this client never sends topic aliases.</summary>
    public int TopicAliasMaximum { get; init; }

    /// <summary>The client id the broker chose when the CONNECT had an empty one.</summary>
    public string? AssignedClientIdentifier { get; init; }

    /// <summary>Keep-alive the broker imposes instead of the one asked for, in seconds.</summary>
    public ushort? ServerKeepAlive { get; init; }

    public static MqttServerLimits From(MqttProperties? properties) => properties is null
        ? Unlimited
        : new MqttServerLimits
        {
            ReceiveMaximum = properties.ReceiveMaximum ?? ushort.MaxValue,
            MaximumQos = (MqttQos)(properties.MaximumQos ?? 2),
            RetainAvailable = properties.RetainAvailable != 0,
            MaximumPacketSize = properties.MaximumPacketSize,
            TopicAliasMaximum = properties.TopicAliasMaximum ?? 0,
            AssignedClientIdentifier = properties.AssignedClientIdentifier,
            ServerKeepAlive = properties.ServerKeepAlive,
        };
}

/// <summary>The MQTT 5.0 reason codes (section 2.4) in words, for error messages and delivery histories.</summary>
public static class MqttReasonCodes
{
    public const byte Success = 0x00;
    public const byte NoMatchingSubscribers = 0x10;
    public const byte MalformedPacket = 0x81;
    public const byte ProtocolError = 0x82;
    public const byte NotAuthorized = 0x87;
    public const byte PacketIdentifierNotFound = 0x92;
    public const byte PacketTooLarge = 0x95;

    private static readonly Dictionary<byte, string> Names = new()
    {
        [0x00] = "success",
        [0x01] = "granted QoS 1",
        [0x02] = "granted QoS 2",
        [0x04] = "disconnect with will message",
        [0x10] = "no matching subscribers",
        [0x11] = "no subscription existed",
        [0x80] = "unspecified error",
        [0x81] = "malformed packet",
        [0x82] = "protocol error",
        [0x83] = "implementation specific error",
        [0x84] = "unsupported protocol version",
        [0x85] = "client identifier not valid",
        [0x86] = "bad user name or password",
        [0x87] = "not authorized",
        [0x88] = "server unavailable",
        [0x89] = "server busy",
        [0x8A] = "banned",
        [0x8B] = "server shutting down",
        [0x8C] = "bad authentication method",
        [0x8D] = "keep alive timeout",
        [0x8E] = "session taken over",
        [0x8F] = "topic filter invalid",
        [0x90] = "topic name invalid",
        [0x91] = "packet identifier in use",
        [0x92] = "packet identifier not found",
        [0x93] = "receive maximum exceeded",
        [0x94] = "topic alias invalid",
        [0x95] = "packet too large",
        [0x96] = "message rate too high",
        [0x97] = "quota exceeded",
        [0x98] = "administrative action",
        [0x99] = "payload format invalid",
        [0x9A] = "retain not supported",
        [0x9B] = "QoS not supported",
        [0x9C] = "use another server",
        [0x9D] = "server moved",
        [0x9E] = "shared subscriptions not supported",
        [0x9F] = "connection rate exceeded",
        [0xA0] = "maximum connect time",
        [0xA1] = "subscription identifiers not supported",
        [0xA2] = "wildcard subscriptions not supported",
    };

    // The codes each packet type may carry (sections 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1, 3.9.3, 3.11.3, 3.14.2.1).
    private static readonly byte[] ConnAckCodes = [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F];
    private static readonly byte[] PubAckCodes = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
    private static readonly byte[] PubRelCodes = [0x00, 0x92];
    private static readonly byte[] SubAckCodes = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2];
    private static readonly byte[] UnsubAckCodes = [0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91];
    private static readonly byte[] DisconnectCodes =
        [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2];

    /// <summary>"not authorized (reason code 0x87)".</summary>
    public static string Describe(byte code) =>
        $"{(Names.TryGetValue(code, out var name) ? name : "unknown reason")} (reason code 0x{code:X2})";

    public static bool IsFailure(byte code) => code >= 0x80;

    /// <summary>"; the broker says: ..." for a Reason String, or nothing.</summary>
    public static string Saying(string? reasonString) =>
        string.IsNullOrWhiteSpace(reasonString) ? "" : $"; the broker says: {(reasonString.Length <= 200 ? reasonString : reasonString[..200] + "…")}";

    /// <summary>Whether <paramref name="code"/> is one the spec allows in <paramref name="type"/>.</summary>
    public static bool IsValidFor(MqttPacketType type, byte code) => type switch
    {
        MqttPacketType.ConnAck => ConnAckCodes.Contains(code),
        MqttPacketType.PubAck or MqttPacketType.PubRec => PubAckCodes.Contains(code),
        MqttPacketType.PubRel or MqttPacketType.PubComp => PubRelCodes.Contains(code),
        MqttPacketType.SubAck => SubAckCodes.Contains(code),
        MqttPacketType.UnsubAck => UnsubAckCodes.Contains(code),
        MqttPacketType.Disconnect => DisconnectCodes.Contains(code),
        _ => false,
    };
}
