namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// The connection to the broker failed or was lost (network, TLS, timeout). Messages name the broker's
/// address and what went wrong, never a password.
/// </summary>
public class MqttException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The broker (or what claims to be one) sent bytes that are not valid MQTT 3.1.1.</summary>
public sealed class MqttProtocolException(string message, Exception? innerException = null) : MqttException(message, innerException);

/// <summary>Why a broker refused a CONNECT: the CONNACK return codes of MQTT 3.1.1 section 3.2.2.3.</summary>
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
}

/// <summary>The broker answered CONNECT with a refusal; <see cref="Reason"/> says which.</summary>
public sealed class MqttConnectException(MqttConnectReason reason, string broker)
    : MqttException($"The MQTT broker at {broker} refused the connection: {Describe(reason)}.")
{
    public MqttConnectReason Reason { get; } = reason;

    /// <summary>
    /// Whether trying again later may work. Wrong credentials or a rejected client id will not fix
    /// themselves, so automatic reconnection gives up on them instead of hammering the broker.
    /// </summary>
    public bool IsTransient => Reason == MqttConnectReason.ServerUnavailable;

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
