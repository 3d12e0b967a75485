namespace IntegrationsPortal.Features.Mqtt;

/// <summary>
/// The broker could not be reached or the connection was lost (network, TLS, timeout): worth trying
/// again later. Messages name the broker's address and what went wrong, never a password.
/// </summary>
public class MqttBrokerException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The broker answered CONNECT with a refusal; <see cref="ReasonCode"/> is the MQTT 5.0 code (MQTTnet maps a 3.1.1 return code to it).</summary>
public sealed class MqttConnectRefusedException(byte reasonCode, string broker, string? reasonString)
    : MqttBrokerException($"The MQTT broker at {broker} refused the connection: {MqttReasonCodes.Describe(reasonCode)}{Hint(reasonCode)}{MqttReasonCodes.Saying(reasonString)}.")
{
    public byte ReasonCode { get; } = reasonCode;

    /// <summary>
    /// Whether trying again later may work. Wrong credentials or a rejected client id will not fix
    /// themselves, so the delivery gives up on them instead of hammering the broker.
    /// </summary>
    public bool IsTransient => ReasonCode is 0x80 or 0x83 or 0x88 or 0x89 or 0x97 or 0x9F;

    private static string Hint(byte code) => code switch
    {
        0x84 => ": the broker does not speak this MQTT version",
        // Mosquitto answers a wrong password with "not authorized" too.
        0x86 or 0x87 => ": check the username and password, the client certificate, or the broker's access rules",
        0x85 => ": the client id is not allowed",
        _ => "",
    };
}

/// <summary>
/// One message was not taken, the connection stays up: an MQTT 5.0 broker answered it with a PUBACK or PUBREC
/// reason code from 0x80 (not authorized, quota exceeded...), or the broker's CONNACK already ruled it out
/// (a QoS or retain it does not accept), so it was never sent.
/// </summary>
public sealed class MqttPublishRefusedException(string message, byte reasonCode) : MqttBrokerException(message)
{
    public byte ReasonCode { get; } = reasonCode;

    /// <summary>Whether the same message may be taken later (a quota, a transient broker error), rather than never (not authorized).</summary>
    public bool IsTransient => ReasonCode is 0x80 or 0x83 or 0x91 or 0x97;
}

/// <summary>MQTT 5.0 reason codes in words, as operators read them in the history.</summary>
public static class MqttReasonCodes
{
    private static readonly Dictionary<byte, string> Names = new()
    {
        [0x00] = "success",
        [0x10] = "no matching subscribers",
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
        [0x90] = "topic name invalid",
        [0x91] = "packet identifier in use",
        [0x92] = "packet identifier not found",
        [0x93] = "receive maximum exceeded",
        [0x95] = "packet too large",
        [0x96] = "message rate too high",
        [0x97] = "quota exceeded",
        [0x98] = "administrative action",
        [0x99] = "payload format invalid",
        [0x9A] = "retain not supported",
        [0x9B] = "QoS not supported",
        [0x9C] = "use another server",
        [0x9D] = "server moved",
        [0x9F] = "connection rate exceeded",
        [0xA0] = "maximum connect time",
    };

    /// <summary>"not authorized (reason code 0x87)".</summary>
    public static string Describe(byte code) =>
        $"{(Names.TryGetValue(code, out var name) ? name : "unknown reason")} (reason code 0x{code:X2})";

    /// <summary>"; the broker says: ..." for a Reason String, or nothing.</summary>
    public static string Saying(string? reasonString) =>
        string.IsNullOrWhiteSpace(reasonString) ? "" : $"; the broker says: {Limits.Shorten(reasonString, 200)}";
}
