using System.Security.Cryptography.X509Certificates;

namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>Where and how an <see cref="MqttConnection"/> connects. Immutable once the connection exists.</summary>
public sealed record MqttClientOptions
{
    public required string Host { get; init; }

    /// <summary>1883 is the plain-TCP default; brokers usually listen for TLS on 8883.</summary>
    public int Port { get; init; } = 1883;

    public required string ClientId { get; init; }

    /// <summary>MQTT 3.1.1 (the default) or 5.0, which adds properties, reason codes on acknowledgements and flow control.</summary>
    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V311;

    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>
    /// True: the broker forgets this client's session (subscriptions, queued messages) on disconnect.
    /// Unacknowledged publishes are re-sent after a reconnect either way (see docs/decisions/004).
    /// </summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>
    /// MQTT 5.0 only, with <see cref="CleanSession"/> off: how long the broker keeps the session after the
    /// connection ends. Null keeps it for ever, as 3.1.1 does. Sent as the Session Expiry Interval in whole seconds.
    /// </summary>
    public TimeSpan? SessionExpiry { get; init; }

    /// <summary>How often to PINGREQ the broker; zero turns keep-alive off. Sent to the broker in whole seconds.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for PINGRESP before the broker counts as dead and the connection is dropped.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public MqttWill? Will { get; init; }

    /// <summary>Null for plain TCP.</summary>
    public MqttTlsOptions? Tls { get; init; }

    /// <summary>Covers TCP connect, TLS handshake and waiting for CONNACK.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before the first automatic reconnect attempt; doubles after each failure up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// QoS 1/2 publishes and subscribes awaiting their acknowledgement; further callers wait for a slot.
    /// Kept well under 65,535 so packet ids for internal re-subscribes are always free.
    /// </summary>
    public int MaxInFlight { get; init; } = 1000;

    /// <summary>
    /// QoS 2 publishes not yet completed (a tighter limit within <see cref="MaxInFlight"/>). MQTT 3.1.1 has no
    /// flow control, yet brokers cap the QoS 2 messages a client may have unreleased: Mosquitto's
    /// max_inflight_messages, 20 by default, and it acknowledges but silently drops the excess.
    /// </summary>
    public int MaxInFlightExactlyOnce { get; init; } = 20;

    /// <summary>Bigger packets from the broker end the connection rather than a huge allocation.</summary>
    public int MaxIncomingPacketSize { get; init; } = 16 * 1024 * 1024;

    internal string Broker => $"{Host}:{Port}";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting; never echoes the password.</summary>
    internal MqttClientOptions Validated()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host, nameof(Host));
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, ushort.MaxValue, nameof(Port));
        ArgumentNullException.ThrowIfNull(ClientId, nameof(ClientId));
        MqttTopic.ValidateString(ClientId, nameof(ClientId), "client id");
        if (UserName is not null)
        {
            MqttTopic.ValidateString(UserName, nameof(UserName), "user name");
        }

        if (Password is not null && UserName is null)
        {
            // MQTT 3.1.1 section 3.1.2.9: a password without a user name is a protocol violation.
            throw new ArgumentException("A password needs a user name.", nameof(Password));
        }

        if (KeepAlive < TimeSpan.Zero || KeepAlive.TotalSeconds > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAlive), "The keep-alive must be between 0 and 65,535 seconds.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PingTimeout, TimeSpan.Zero, nameof(PingTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconnectDelay, TimeSpan.Zero, nameof(ReconnectDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReconnectDelay, ReconnectDelay, nameof(MaxReconnectDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1, nameof(MaxInFlight));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxInFlight, 60_000, nameof(MaxInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightExactlyOnce, 1, nameof(MaxInFlightExactlyOnce));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxIncomingPacketSize, 2, nameof(MaxIncomingPacketSize));
        if (Will is { } will)
        {
            MqttTopic.ValidateTopicName(will.Topic, nameof(Will));
            if (will.Payload.Length > ushort.MaxValue || !Enum.IsDefined(will.Qos))
            {
                throw new ArgumentException("The last will's payload must be at most 65,535 bytes and its QoS 0, 1 or 2.", nameof(Will));
            }

            if (will.Properties is not null && ProtocolVersion != MqttProtocolVersion.V500)
            {
                throw new ArgumentException("Properties on the last will need MQTT 5.0.", nameof(Will));
            }
        }

        if (!Enum.IsDefined(ProtocolVersion))
        {
            throw new ArgumentOutOfRangeException(nameof(ProtocolVersion), ProtocolVersion, "The protocol version must be 3.1.1 or 5.0.");
        }

        if (SessionExpiry is { } expiry && (expiry < TimeSpan.Zero || expiry.TotalSeconds > uint.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(SessionExpiry), "The session expiry must be between 0 and 4,294,967,295 seconds.");
        }

        return this;
    }

    /// <summary>The CONNECT packet; keep-alive rounded up so the broker never times us out before we ping.</summary>
    internal ConnectPacket ConnectPacket() =>
        new(ClientId, CleanSession, (ushort)Math.Ceiling(KeepAlive.TotalSeconds), UserName, Password, Will, ProtocolVersion,
            ProtocolVersion == MqttProtocolVersion.V500 ? ConnectProperties() : null);

    /// <summary>
    /// A 5.0 session without Session Expiry ends with the connection, so a persistent one asks for
    /// <see cref="SessionExpiry"/> (for ever when unset). The broker must not send us packets we would refuse as too large.
    /// </summary>
    private MqttProperties ConnectProperties() => new()
    {
        SessionExpiryInterval = CleanSession ? null : SessionExpiry is { } expiry ? (uint)Math.Ceiling(expiry.TotalSeconds) : uint.MaxValue,
        MaximumPacketSize = (uint)MaxIncomingPacketSize,
    };

    // Never the password: options end up in logs and error messages.
    public override string ToString() =>
        $"mqtt{(Tls is null ? "" : "s")}://{Broker} as '{ClientId}'{(UserName is null ? "" : $" (user {UserName})")}"
        + (ProtocolVersion == MqttProtocolVersion.V500 ? " over MQTT 5.0" : "");
}

/// <summary>TLS settings. Without <see cref="CaCertificate"/> the broker's certificate is checked against the system's trusted roots.</summary>
public sealed record MqttTlsOptions
{
    /// <summary>Trust only this CA for the broker's certificate (a private broker's own CA).</summary>
    public X509Certificate2? CaCertificate { get; init; }

    /// <summary>Certificate (with private key) for brokers that require client authentication.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The name the broker's certificate must carry; defaults to <see cref="MqttClientOptions.Host"/>.</summary>
    public string? TargetHost { get; init; }
}
