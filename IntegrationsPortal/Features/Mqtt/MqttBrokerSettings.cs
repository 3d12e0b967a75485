using System.Security.Cryptography.X509Certificates;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>Where and how the portal connects to a broker: what an integration's properties say, in one immutable value.</summary>
public sealed record MqttBrokerSettings
{
    public required string Host { get; init; }

    /// <summary>1883 is the plain-TCP default; brokers usually listen for TLS on 8883.</summary>
    public int Port { get; init; } = 1883;

    public required string ClientId { get; init; }

    /// <summary>MQTT 3.1.1 (the default) or 5.0, which adds properties, reason codes on acknowledgements and flow control.</summary>
    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V311;

    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>How often to PINGREQ the broker; zero turns keep-alive off.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Covers the TCP connect, the TLS handshake and waiting for CONNACK.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public MqttWill? Will { get; init; }

    /// <summary>Null for plain TCP.</summary>
    public MqttTlsSettings? Tls { get; init; }

    public bool IsV5 => ProtocolVersion == MqttProtocolVersion.V500;

    internal string Broker => $"{Host}:{Port}";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting; never echoes the password.</summary>
    internal MqttBrokerSettings Validated()
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

        if (Will is { } will)
        {
            MqttTopic.ValidateTopicName(will.Topic, nameof(Will));
        }

        return this;
    }

    // Never the password: settings end up in logs and error messages.
    public override string ToString() =>
        $"mqtt{(Tls is null ? "" : "s")}://{Broker} as '{ClientId}'{(UserName is null ? "" : $" (user {UserName})")}"
        + (IsV5 ? " over MQTT 5.0" : "")
        + (Tls?.ClientCertificate is { } certificate ? $" with client certificate {certificate.Thumbprint}" : "");
}

/// <summary>TLS settings. Without <see cref="CaCertificate"/> the broker's certificate is checked against the system's trusted roots.</summary>
public sealed record MqttTlsSettings
{
    /// <summary>Trust this CA too, for this connection only (a private broker's own CA).</summary>
    public X509Certificate2? CaCertificate { get; init; }

    /// <summary>Certificate with its private key, for brokers that authenticate clients by certificate (AWS IoT Core).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The name the broker's certificate must carry, and the SNI; defaults to <see cref="MqttBrokerSettings.Host"/>.</summary>
    public string? TargetHost { get; init; }
}

/// <summary>The last will: published by the broker when the portal's connection ends without DISCONNECT.</summary>
public sealed record MqttWill(string Topic, ReadOnlyMemory<byte> Payload, MqttQualityOfServiceLevel Qos = MqttQualityOfServiceLevel.AtMostOnce, bool Retain = false);

/// <summary>The MQTT 5.0 properties the portal puts on a message.</summary>
public sealed record MqttMessageProperties
{
    /// <summary>Seconds after which the broker drops the message if not yet delivered (retained or queued).</summary>
    public uint? MessageExpiryInterval { get; init; }

    public string? ContentType { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> UserProperties { get; init; } = [];
}
