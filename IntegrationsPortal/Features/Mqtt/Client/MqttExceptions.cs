namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// The connection to the broker failed or was lost (network, TLS, timeout). Messages name the broker's
/// address and what went wrong, never a password.
/// </summary>
public class MqttException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// The broker (or what claims to be one) sent bytes that are not valid MQTT. <see cref="ReasonCode"/> is what an
/// MQTT 5.0 client says in its DISCONNECT before closing: 0x81 malformed packet, 0x82 protocol error, 0x95 packet too large.
/// </summary>
public sealed class MqttProtocolException(string message, byte reasonCode = MqttReasonCodes.MalformedPacket, Exception? innerException = null)
    : MqttException(message, innerException)
{
    public MqttProtocolException(string message, Exception innerException)
        : this(message, MqttReasonCodes.MalformedPacket, innerException)
    {
    }

    public byte ReasonCode { get; } = reasonCode;
}

/// <summary>
/// Why a broker refused a CONNECT: the CONNACK return codes of MQTT 3.1.1 section 3.2.2.3. A 5.0 reason code
/// with the same meaning maps to the 3.1.1 member; the 5.0-only ones keep their reason code as value.
/// </summary>
public enum MqttConnectReason : byte
{
    /// <summary>The broker does not speak MQTT 3.1.1 (an old 3.1-only or a 5.0-only broker).</summary>
    UnacceptableProtocolVersion = 1,
    /// <summary>The client id is malformed, taken by policy, or empty where the broker needs one.</summary>
    IdentifierRejected = 2,
    /// <summary>The broker is up but not taking connections; worth retrying later.</summary>
    ServerUnavailable = 3,
    /// <summary>The user name or password is malformed or wrong.</summary>
    BadUserNameOrPassword = 4,
    /// <summary>The credentials (or their absence) are not allowed; Mosquitto uses this for a wrong password too.</summary>
    NotAuthorized = 5,
    UnspecifiedError = 0x80,
    MalformedPacket = 0x81,
    ProtocolError = 0x82,
    ImplementationSpecificError = 0x83,
    ServerBusy = 0x89,
    Banned = 0x8A,
    BadAuthenticationMethod = 0x8C,
    TopicNameInvalid = 0x90,
    PacketTooLarge = 0x95,
    QuotaExceeded = 0x97,
    PayloadFormatInvalid = 0x99,
    RetainNotSupported = 0x9A,
    QosNotSupported = 0x9B,
    UseAnotherServer = 0x9C,
    ServerMoved = 0x9D,
    ConnectionRateExceeded = 0x9F,
}

/// <summary>The broker answered CONNECT with a refusal; <see cref="Reason"/> says which, <see cref="ReasonCode"/> as it was on the wire.</summary>
public sealed class MqttConnectException : MqttException
{
    /// <summary>An MQTT 3.1.1 refusal (return code 1-5).</summary>
    public MqttConnectException(MqttConnectReason reason, string broker)
        : base($"The MQTT broker at {broker} refused the connection: {Describe(reason)}.")
    {
        Reason = reason;
        ReasonCode = (byte)reason;
    }

    /// <summary>An MQTT 5.0 refusal (reason code 0x80 and up), with the broker's Reason String if it gave one.</summary>
    public MqttConnectException(byte reasonCode, string broker, string? reasonString)
        : base($"The MQTT broker at {broker} refused the connection: {MqttReasonCodes.Describe(reasonCode)}{MqttReasonCodes.Saying(reasonString)}.")
    {
        ReasonCode = reasonCode;
        Reason = reasonCode switch
        {
            0x84 => MqttConnectReason.UnacceptableProtocolVersion,
            0x85 => MqttConnectReason.IdentifierRejected,
            0x86 => MqttConnectReason.BadUserNameOrPassword,
            0x87 => MqttConnectReason.NotAuthorized,
            0x88 => MqttConnectReason.ServerUnavailable,
            _ => (MqttConnectReason)reasonCode,
        };
    }

    public MqttConnectReason Reason { get; }

    /// <summary>The CONNACK's code: a 3.1.1 return code or a 5.0 reason code.</summary>
    public byte ReasonCode { get; }

    /// <summary>
    /// Whether trying again later may work. Wrong credentials or a rejected client id will not fix
    /// themselves, so automatic reconnection gives up on them instead of hammering the broker.
    /// </summary>
    public bool IsTransient => Reason is MqttConnectReason.ServerUnavailable or MqttConnectReason.ServerBusy or MqttConnectReason.QuotaExceeded
        or MqttConnectReason.ConnectionRateExceeded or MqttConnectReason.UnspecifiedError or MqttConnectReason.ImplementationSpecificError;

    public static string Describe(MqttConnectReason reason) => reason switch
    {
        MqttConnectReason.UnacceptableProtocolVersion => "unacceptable protocol version (the broker does not speak MQTT 3.1.1)",
        MqttConnectReason.IdentifierRejected => "identifier rejected (the client id is not allowed)",
        MqttConnectReason.ServerUnavailable => "server unavailable",
        MqttConnectReason.BadUserNameOrPassword => "bad username or password",
        MqttConnectReason.NotAuthorized => "not authorized (check the username and password, or the broker's access rules)",
        _ => $"unknown return code {(byte)reason}",
    };
}

/// <summary>
/// One message was not taken, the connection stays up: an MQTT 5.0 broker answered it with a PUBACK or PUBREC
/// reason code from 0x80 (not authorized, quota exceeded...), or the broker's CONNACK already ruled it out
/// (a QoS, retain or size it does not accept), so it was never sent.
/// </summary>
public sealed class MqttPublishRefusedException(string message, byte reasonCode) : MqttException(message)
{
    public byte ReasonCode { get; } = reasonCode;

    /// <summary>Whether the same message may be taken later (a quota, a transient broker error), rather than never (not authorized).</summary>
    public bool IsTransient => ReasonCode is 0x80 or 0x83 or 0x91 or 0x97;
}
