using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IntegrationsPortal.Infrastructure.Http;
using IntegrationsPortal.Infrastructure.Security;
using MQTTnet;
using MQTTnet.Channel;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>
/// One MQTTnet client connected to a broker (docs/decisions/004), with what the portal adds around it: the
/// TCP connection opened by the outbound address policy, a private CA and a client certificate for TLS,
/// refusals and failures in words an operator can act on, and publishes kept within the broker's limits
/// (Receive Maximum, Maximum QoS, Retain Available). A lost link is not re-established here: the next
/// delivery asks <see cref="MqttConnections"/> for a new one, and the outbox keeps what was not acknowledged.
/// </summary>
public sealed class MqttBrokerConnection : IAsyncDisposable
{
    // Mosquitto acknowledges, then silently drops, QoS 2 messages beyond its max_inflight_messages (20 by
    // default) over 3.1.1, which has no flow control to say so.
    private const int MaxExactlyOnceInFlight = 20;
    private const int MaxInFlight = 100;

    private static readonly MqttClientFactory Factory = new();

    private readonly IMqttClient _client;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _exactlyOnceInFlight = new(MaxExactlyOnceInFlight, MaxExactlyOnceInFlight);
    private readonly MqttClientConnectResult _connAck;

    private MqttBrokerConnection(MqttBrokerSettings settings, IMqttClient client, MqttClientConnectResult connAck)
    {
        Settings = settings;
        _client = client;
        _connAck = connAck;
        // A 5.0 broker states how many unacknowledged QoS 1/2 publishes it takes; more makes it disconnect us.
        var receiveMaximum = Math.Min(ReceiveMaximum, MaxInFlight);
        _inFlight = new SemaphoreSlim(receiveMaximum, receiveMaximum);
    }

    public MqttBrokerSettings Settings { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>How many QoS 1/2 publishes may await their acknowledgement at once.</summary>
    public int ReceiveMaximum => _connAck.ReceiveMaximum is > 0 and { } max ? max : ushort.MaxValue;

    /// <summary>The client id a 5.0 broker assigned when none was given; null otherwise.</summary>
    public string? AssignedClientId => _connAck.AssignedClientIdentifier;

    /// <summary>
    /// Opens the TCP connection through <paramref name="policy"/> (refused addresses throw <see cref="OutboundAddressRefusedException"/>
    /// before anything is dialled), then TLS and CONNECT. Throws <see cref="MqttConnectRefusedException"/> when the broker
    /// refuses, <see cref="MqttBrokerException"/> when it cannot be reached.
    /// </summary>
    public static async Task<MqttBrokerConnection> ConnectAsync(MqttBrokerSettings settings, OutboundAddressPolicy policy, CancellationToken ct)
    {
        settings = settings.Validated();
        var tlsRefusal = new TlsRefusal();
        var client = Factory.CreateMqttClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.ConnectTimeout);
        try
        {
            var connAck = await client.ConnectAsync(ClientOptions(settings, policy, tlsRefusal), timeout.Token);
            if (connAck.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new MqttConnectRefusedException((byte)connAck.ResultCode, settings.Broker, connAck.ReasonString);
            }

            return new MqttBrokerConnection(settings, client, connAck);
        }
        catch (Exception e)
        {
            client.Dispose();
            throw Explain(e, settings, tlsRefusal, timedOut: timeout.IsCancellationRequested && !ct.IsCancellationRequested);
        }
    }

    /// <summary>
    /// Publishes and returns once the broker acknowledged per <paramref name="qos"/> (QoS 0: once written).
    /// Throws <see cref="ArgumentException"/> for a topic or properties MQTT does not allow (param "topic" or "properties"),
    /// <see cref="MqttPublishRefusedException"/> when the broker refuses this one message, <see cref="MqttBrokerException"/>
    /// when the connection is lost.
    /// </summary>
    public async Task<MqttPublishResult> PublishAsync(
        string topic,
        ReadOnlyMemory<byte> payload,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce,
        bool retain = false,
        MqttMessageProperties? properties = null,
        bool duplicate = false,
        CancellationToken ct = default)
    {
        var message = Message(topic, payload, qos, retain, properties);
        // DUP says "this may be a re-delivery" (MQTT 3.3.1.1); never on QoS 0. MQTTnet gives every
        // publish a fresh packet identifier, so the retry cannot reuse the first one's.
        message.Dup = duplicate && qos != MqttQualityOfServiceLevel.AtMostOnce;
        CheckServerLimits(message);
        if (qos == MqttQualityOfServiceLevel.AtMostOnce)
        {
            await SendAsync(message, ct);
            return new MqttPublishResult(qos, 0);
        }

        var exactlyOnce = qos == MqttQualityOfServiceLevel.ExactlyOnce;
        if (exactlyOnce)
        {
            await _exactlyOnceInFlight.WaitAsync(ct);
        }

        try
        {
            await _inFlight.WaitAsync(ct);
            try
            {
                var result = await SendAsync(message, ct);
                var code = (byte)result.ReasonCode;
                if (code >= 0x80)
                {
                    throw new MqttPublishRefusedException(
                        $"The MQTT broker at {Settings.Broker} refused the message to '{topic}': {MqttReasonCodes.Describe(code)} "
                        + $"in its {(exactlyOnce ? "PUBREC" : "PUBACK")}{MqttReasonCodes.Saying(result.ReasonString)}.",
                        code);
                }

                // Over 3.1.1 an acknowledgement has no reason code; MQTTnet reports "success" for it, which the broker did not say.
                return Settings.IsV5
                    ? new MqttPublishResult(qos, result.PacketIdentifier ?? 0, code, result.ReasonString)
                    : new MqttPublishResult(qos, result.PacketIdentifier ?? 0);
            }
            finally
            {
                _inFlight.Release();
            }
        }
        finally
        {
            if (exactlyOnce)
            {
                _exactlyOnceInFlight.Release();
            }
        }
    }

    /// <summary>Sends DISCONNECT (the broker then drops the will) and closes.</summary>
    public async Task DisconnectAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
            {
                // Already gone: nothing left to close politely.
            }
        }

        _client.Dispose();
    }

    /// <summary>Drops the socket without DISCONNECT, as a crash would: the broker publishes the will.</summary>
    internal void Abort() => _client.Dispose();

    // The semaphores are left to the GC: publishes still in flight when a connection is dropped release them
    // afterwards, and a SemaphoreSlim whose wait handle is never used holds nothing to dispose.
    public ValueTask DisposeAsync() => new(DisconnectAsync());

    private async Task<MqttClientPublishResult> SendAsync(MqttApplicationMessage message, CancellationToken ct)
    {
        try
        {
            return await _client.PublishAsync(message, ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
        {
            // MQTTnet reports the caller's deadline as a communication failure; it is the caller's timeout,
            // and the PUBLISH may have reached the broker: let the caller say "outcome unknown".
            throw new OperationCanceledException("The broker did not acknowledge in time.", e, ct);
        }
        catch (Exception e) when (e is MqttCommunicationException or MqttClientNotConnectedException or ObjectDisposedException or IOException)
        {
            throw new MqttBrokerException($"The connection to the MQTT broker at {Settings.Broker} was lost: {e.Message}", e);
        }
    }

    private MqttApplicationMessage Message(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos, bool retain, MqttMessageProperties? properties)
    {
        MqttTopic.ValidateTopicName(topic);
        if (!Enum.IsDefined(qos))
        {
            throw new ArgumentOutOfRangeException(nameof(qos), qos, "QoS must be 0, 1 or 2.");
        }

        var message = new MqttApplicationMessage
        {
            Topic = topic,
            Payload = new ReadOnlySequence<byte>(payload),
            QualityOfServiceLevel = qos,
            Retain = retain,
        };
        if (properties is null)
        {
            return message;
        }

        if (!Settings.IsV5)
        {
            throw new ArgumentException("Message properties need MQTT 5.0; this connection speaks 3.1.1.", nameof(properties));
        }

        foreach (var (name, value) in properties.UserProperties)
        {
            MqttTopic.ValidateString(name, nameof(properties), "user property name");
            MqttTopic.ValidateString(value, nameof(properties), "user property value");
        }

        message.MessageExpiryInterval = properties.MessageExpiryInterval ?? 0;
        message.ContentType = properties.ContentType;
        message.UserProperties = properties.UserProperties.Count == 0 ? null : [.. properties.UserProperties.Select(p => new MqttUserProperty(p.Key, Encoding.UTF8.GetBytes(p.Value).AsMemory()))];
        return message;
    }

    /// <summary>A 5.0 broker's CONNACK may rule out a QoS or retain; sending anyway would make it drop the connection.</summary>
    private void CheckServerLimits(MqttApplicationMessage message)
    {
        if (!Settings.IsV5)
        {
            return;
        }

        if (message.QualityOfServiceLevel > _connAck.MaximumQoS)
        {
            throw new MqttPublishRefusedException(
                $"The MQTT broker at {Settings.Broker} accepts at most QoS {(int)_connAck.MaximumQoS}; this message asks for QoS {(int)message.QualityOfServiceLevel} (it said so when connecting); nothing was sent.", 0x9B);
        }

        if (message.Retain && !_connAck.RetainAvailable)
        {
            throw new MqttPublishRefusedException(
                $"The MQTT broker at {Settings.Broker} does not keep retained messages; this message asks to be retained (it said so when connecting); nothing was sent.", 0x9A);
        }
    }

    private static MqttClientOptions ClientOptions(MqttBrokerSettings settings, OutboundAddressPolicy policy, TlsRefusal tlsRefusal)
    {
        var tls = settings.Tls;
        return new MqttClientOptions
        {
            ClientId = settings.ClientId,
            ProtocolVersion = settings.ProtocolVersion,
            // The outbox, not a broker session, keeps what was not acknowledged (docs/decisions/004).
            CleanSession = true,
            KeepAlivePeriod = settings.KeepAlive,
            Timeout = settings.ConnectTimeout,
            Credentials = settings.UserName is null ? null : new MqttClientCredentials(settings.UserName, settings.Password is null ? null : Encoding.UTF8.GetBytes(settings.Password)),
            WillTopic = settings.Will?.Topic,
            WillPayload = settings.Will?.Payload.ToArray(),
            WillQualityOfServiceLevel = settings.Will?.Qos ?? MqttQualityOfServiceLevel.AtMostOnce,
            WillRetain = settings.Will?.Retain ?? false,
            ChannelOptions = new MqttClientTcpOptions
            {
                // The host name stays the endpoint: it is what the policy resolves and checks, and the TLS name.
                RemoteEndpoint = new DnsEndPoint(settings.Host, settings.Port),
                StreamProvider = new PolicyStreamProvider(policy),
                TlsOptions = tls is null
                    ? new MqttClientTlsOptions { UseTls = false }
                    : new MqttClientTlsOptions
                    {
                        UseTls = true,
                        TargetHost = tls.TargetHost ?? settings.Host,
                        // The default (online) would fail a private CA's certificates, which publish no revocation list.
                        RevocationMode = X509RevocationMode.NoCheck,
                        ClientCertificatesProvider = tls.ClientCertificate is null ? null : new DefaultMqttCertificatesProvider([tls.ClientCertificate]),
                        CertificateValidationHandler = check =>
                        {
                            var accepted = PrivateCaTrust.Accepts(check.Certificate, check.Chain, check.SslPolicyErrors, tls.CaCertificate);
                            tlsRefusal.Errors = accepted ? SslPolicyErrors.None : check.SslPolicyErrors;
                            return accepted;
                        },
                    },
            },
        };
    }

    /// <summary>Turns whatever MQTTnet or the network threw while connecting into the portal's words (a policy refusal as it is).</summary>
    private static Exception Explain(Exception e, MqttBrokerSettings settings, TlsRefusal tlsRefusal, bool timedOut)
    {
        if (OutboundAddressPolicy.FindRefusal(e) is { } refused)
        {
            return refused;
        }

        var broker = settings.Broker;
        return e switch
        {
            MqttBrokerException => e,
            _ when tlsRefusal.Errors != SslPolicyErrors.None =>
                new MqttBrokerException($"TLS with the MQTT broker at {broker} failed: {PrivateCaTrust.Describe(tlsRefusal.Errors, settings.Tls?.CaCertificate is not null)} ({tlsRefusal.Errors}).", e),
            _ when timedOut || e is MqttCommunicationTimedOutException =>
                new MqttBrokerException($"The MQTT broker at {broker} did not accept the connection within {settings.ConnectTimeout.TotalSeconds:0.#} s.", e),
            OperationCanceledException => e,
            _ when Find<AuthenticationException>(e) is { } tls => new MqttBrokerException($"TLS with the MQTT broker at {broker} failed: {tls.Message}", e),
            _ when Find<SocketException>(e) is { } socket =>
                new MqttBrokerException($"Could not connect to the MQTT broker at {broker}: {socket.SocketErrorCode}.", e),
            _ => new MqttBrokerException($"Could not connect to the MQTT broker at {broker}: {Innermost(e).Message}", e),
        };
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    /// <summary>What the certificate check refused, so the error can say it; MQTTnet reports only that the handshake failed.</summary>
    private sealed class TlsRefusal
    {
        public SslPolicyErrors Errors { get; set; }
    }

    /// <summary>Hands MQTTnet a TCP connection the outbound policy opened; MQTTnet layers TLS on it with the host name as SNI.</summary>
    private sealed class PolicyStreamProvider(OutboundAddressPolicy policy) : IMqttClientStreamProvider
    {
        public async Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken)
        {
            var (host, port) = brokerEndPoint switch
            {
                DnsEndPoint dns => (dns.Host, dns.Port),
                IPEndPoint ip => (ip.Address.ToString(), ip.Port),
                _ => throw new ArgumentException($"Unsupported endpoint {brokerEndPoint}.", nameof(brokerEndPoint)),
            };
#pragma warning disable CA2000 // The stream owns the socket (ownsSocket) and MQTTnet owns the stream.
            var socket = await policy.ConnectAsync(host, port, cancellationToken);
#pragma warning restore CA2000
            return new NetworkStream(socket, ownsSocket: true);
        }
    }
}

/// <summary>
/// The broker's acknowledgement of a publish: for QoS 1 its PUBACK, for QoS 2 the PUBREC/PUBREL/PUBCOMP
/// exchange; for QoS 0 only that the bytes were written. Over MQTT 5.0 also the reason code (the PUBACK's,
/// or for QoS 2 the PUBREC's, which says more than the PUBCOMP's) and any Reason String.
/// </summary>
public sealed record MqttPublishResult(MqttQualityOfServiceLevel Qos, ushort PacketId, byte? ReasonCode = null, string? ReasonString = null)
{
    public string Acknowledgement => Qos switch
    {
        MqttQualityOfServiceLevel.AtLeastOnce => $"PUBACK for packet {PacketId}{Reason(": ")}",
        MqttQualityOfServiceLevel.ExactlyOnce => $"PUBCOMP for packet {PacketId}{Reason("; PUBREC said ")}",
        _ => "none (QoS 0 is not acknowledged)",
    };

    private string Reason(string lead) =>
        ReasonCode is { } code ? $"{lead}{MqttReasonCodes.Describe(code)}{MqttReasonCodes.Saying(ReasonString)}" : "";
}
