using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;

namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// One network connection to the broker, from CONNECT to its end: a writer loop that batches queued
/// packets into few socket writes, a reader loop, and keep-alive. It fails once, reports why, and is
/// never reused; <see cref="MqttConnection"/> holds the session state that outlives it.
/// </summary>
// _stop is cancelled, never disposed: the loops may still read its token while they wind down, and a
// CancellationTokenSource without a timer or wait handle holds nothing that needs disposing.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "See comment above.")]
internal sealed class MqttLink
{
    private const int WriteBatchBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly MqttPacketReader _reader;
    private readonly MqttClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<Outbound> _outbound = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Action<MqttLink, MqttPacket> _onPacket = (_, _) => { };
    private Action<MqttLink, MqttException> _onFailure = (_, _) => { };
    private TaskCompletionSource? _pong;
    private TimeSpan _keepAlive;
    private int _failed;

    private MqttLink(Stream stream, MqttClientOptions options, TimeProvider time)
    {
        _stream = stream;
        _options = options;
        _time = time;
        _keepAlive = options.KeepAlive;
        _reader = new MqttPacketReader(stream, options.MaxIncomingPacketSize, options.ProtocolVersion);
    }

    private bool IsV5 => _options.ProtocolVersion == MqttProtocolVersion.V500;

    /// <param name="Written">Completed once the packet is flushed to the socket (or failed if it never is).</param>
    private readonly record struct Outbound(MqttPacket Packet, TaskCompletionSource? Written);

    /// <summary>TCP (and TLS) connect, CONNECT, CONNACK. Any failure closes the socket and throws an <see cref="MqttException"/>.</summary>
    public static async Task<(MqttLink Link, ConnAckPacket ConnAck)> OpenAsync(MqttClientOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Stream? stream = null;
        try
        {
            stream = await OpenStreamAsync(options, linked.Token);
            var link = new MqttLink(stream, options, time);
            await stream.WriteAsync(MqttPacketCodec.Encode(options.ConnectPacket(), options.ProtocolVersion), linked.Token);
            await stream.FlushAsync(linked.Token);
            var connAck = await link._reader.ReadAsync(linked.Token) switch
            {
                null => throw new MqttProtocolException($"The MQTT broker at {options.Broker} closed the connection before answering CONNECT."),
                ConnAckPacket ack => ack,
                var other => throw new MqttProtocolException($"The MQTT broker at {options.Broker} answered CONNECT with {other.Type} instead of CONNACK."),
            };
            if (connAck.ReturnCode != 0)
            {
                throw link.IsV5
                    // A 3.1.1-only broker answers a 5.0 CONNECT with its own return code 1 (section 3.1.2.2).
                    ? new MqttConnectException(connAck.ReturnCode == 1 ? (byte)0x84 : connAck.ReturnCode, options.Broker, connAck.Properties?.ReasonString)
                    : new MqttConnectException((MqttConnectReason)connAck.ReturnCode, options.Broker);
            }

            // Section 3.2.2.3.14: a Server Keep Alive replaces the one we asked for.
            if (connAck.Properties?.ServerKeepAlive is { } serverKeepAlive)
            {
                link._keepAlive = TimeSpan.FromSeconds(serverKeepAlive);
            }

            return (link, connAck);
        }
        catch (Exception e)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }

            throw Explain(e, options, timedOut: timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested);
        }
    }

    private static async Task<Stream> OpenStreamAsync(MqttClientOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var network = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (options.Tls is not { } tls)
            {
                return network;
            }

            var ssl = new SslStream(network, leaveInnerStreamOpen: false);
            var refused = SslPolicyErrors.None;
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = tls.TargetHost ?? options.Host,
                    ClientCertificates = tls.ClientCertificate is null ? null : [tls.ClientCertificate],
                    CertificateChainPolicy = tls.CaCertificate is null ? null : new X509ChainPolicy
                    {
                        TrustMode = X509ChainTrustMode.CustomRootTrust,
                        CustomTrustStore = { tls.CaCertificate },
                        RevocationMode = X509RevocationMode.NoCheck,
                    },
                    // The default check, kept as is; only recorded so a refusal can say what was wrong.
                    RemoteCertificateValidationCallback = (_, _, _, errors) =>
                    {
                        refused = errors;
                        return errors == SslPolicyErrors.None;
                    },
                }, cancellationToken);
            }
            catch (AuthenticationException e) when (refused != SslPolicyErrors.None)
            {
                throw new MqttException($"TLS with the MQTT broker at {options.Broker} failed: its certificate is not trusted ({refused}).", e);
            }

            return ssl;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    private static Exception Explain(Exception e, MqttClientOptions options, bool timedOut) => e switch
    {
        MqttException => e,
        OperationCanceledException when timedOut =>
            new MqttException($"The MQTT broker at {options.Broker} did not accept the connection within {options.ConnectTimeout.TotalSeconds:0.#} s."),
        OperationCanceledException => e,
        AuthenticationException => new MqttException($"TLS with the MQTT broker at {options.Broker} failed: {e.Message}", e),
        SocketException socket => new MqttException($"Could not connect to the MQTT broker at {options.Broker}: {socket.SocketErrorCode}.", e),
        IOException => new MqttException($"The connection to the MQTT broker at {options.Broker} broke during CONNECT: {e.Message}", e),
        _ => new MqttException($"Could not connect to the MQTT broker at {options.Broker}: {e.Message}", e),
    };

    /// <summary>Starts the loops. Packets other than PINGRESP go to <paramref name="onPacket"/>, which may throw <see cref="MqttProtocolException"/>.</summary>
    public void Start(Action<MqttLink, MqttPacket> onPacket, Action<MqttLink, MqttException> onFailure)
    {
        _onPacket = onPacket;
        _onFailure = onFailure;
        _ = Task.Run(WriteLoopAsync);
        _ = Task.Run(ReadLoopAsync);
        if (_keepAlive > TimeSpan.Zero)
        {
            _ = Task.Run(KeepAliveLoopAsync);
        }
    }

    /// <summary>Queues a packet; false when the link has already failed.</summary>
    public bool Send(MqttPacket packet, TaskCompletionSource? written = null) => _outbound.Writer.TryWrite(new Outbound(packet, written));

    /// <summary>Sends DISCONNECT (so the broker drops the will), then closes.</summary>
    public async Task CloseGracefullyAsync()
    {
        await SendDisconnectAsync(MqttReasonCodes.Success, TimeSpan.FromSeconds(2));
        Fail(new MqttException($"The connection to the MQTT broker at {_options.Broker} was closed."), notify: false);
    }

    /// <summary>Queues DISCONNECT (in 5.0 with <paramref name="reasonCode"/>) and waits a little for it to be written.</summary>
    private async Task SendDisconnectAsync(byte reasonCode, TimeSpan patience)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Send(IsV5 ? new DisconnectPacket(reasonCode) : EmptyPacket.Disconnect, written))
        {
            try
            {
                await written.Task.WaitAsync(patience, _time);
            }
            catch (Exception e) when (e is MqttException or TimeoutException)
            {
                // Closing anyway; the broker will publish the will, which is all that is lost.
            }
        }
    }

    /// <summary>Closes the socket at once, without DISCONNECT: the broker sees a lost client and publishes its will.</summary>
    public void Abort() => Fail(new MqttException($"The connection to the MQTT broker at {_options.Broker} was aborted."), notify: false);

    private async Task WriteLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(WriteBatchBytes);
        var written = new List<TaskCompletionSource>();
        try
        {
            while (await _outbound.Reader.WaitToReadAsync(_stop.Token))
            {
                // Batch whatever is queued into one write: many concurrent publishers, few syscalls.
                while (buffer.WrittenCount < WriteBatchBytes && _outbound.Reader.TryRead(out var item))
                {
                    MqttPacketCodec.Encode(item.Packet, buffer, _options.ProtocolVersion);
                    if (item.Written is not null)
                    {
                        written.Add(item.Written);
                    }
                }

                await _stream.WriteAsync(buffer.WrittenMemory, _stop.Token);
                await _stream.FlushAsync(_stop.Token);
                buffer.ResetWrittenCount();
                written.ForEach(w => w.TrySetResult());
                written.Clear();
            }
        }
        catch (Exception e)
        {
            var failure = Fail(e);
            written.ForEach(w => w.TrySetException(failure));
            while (_outbound.Reader.TryRead(out var item))
            {
                item.Written?.TrySetException(failure);
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _reader.ReadAsync(_stop.Token) is { } packet)
            {
                if (packet.Type == MqttPacketType.PingResp)
                {
                    Volatile.Read(ref _pong)?.TrySetResult();
                }
                else if (packet is DisconnectPacket disconnect)
                {
                    Fail(new MqttException($"The MQTT broker at {_options.Broker} closed the connection: "
                        + $"{MqttReasonCodes.Describe(disconnect.ReasonCode)}{MqttReasonCodes.Saying(disconnect.Properties?.ReasonString)}."));
                    return;
                }
                else
                {
                    _onPacket(this, packet);
                }
            }

            Fail(new MqttException($"The MQTT broker at {_options.Broker} closed the connection."));
        }
        catch (MqttProtocolException e) when (IsV5 && !_stop.IsCancellationRequested)
        {
            // Section 4.13: a 5.0 client tells the broker why before it closes.
            await SendDisconnectAsync(e.ReasonCode, TimeSpan.FromSeconds(1));
            Fail(e);
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(_keepAlive, _time, _stop.Token);
                var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _pong, pong);
                Send(EmptyPacket.PingReq);
                try
                {
                    await pong.Task.WaitAsync(_options.PingTimeout, _time, _stop.Token);
                }
                catch (TimeoutException)
                {
                    Fail(new MqttException($"The MQTT broker at {_options.Broker} stopped answering: no PINGRESP within {_options.PingTimeout.TotalSeconds:0.#} s."));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The link ended for another reason.
        }
    }

    /// <summary>Ends the link once; later calls return the first reason. Never throws.</summary>
    private MqttException Fail(Exception error, bool notify = true)
    {
        var reason = error as MqttException ?? new MqttException($"The connection to the MQTT broker at {_options.Broker} broke: {error.Message}", error);
        if (Interlocked.Exchange(ref _failed, 1) == 1)
        {
            return reason;
        }

        _outbound.Writer.TryComplete();
        _stop.Cancel();
        _stream.Dispose();
        if (notify)
        {
            _onFailure(this, reason);
        }

        return reason;
    }
}
