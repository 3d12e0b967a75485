using System.Net;
using System.Net.Sockets;
using IntegrationsPortal.Features.Mqtt;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>
/// A scripted MQTT "broker" on loopback for what Mosquitto will not do on demand: refuse with any reason
/// code, or hold acknowledgements back. It reads and writes packets with MQTTnet's own formatter, so the
/// script deals in packets, not bytes. Every accepted connection runs the script.
/// </summary>
public sealed class ScriptedBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<ScriptedSession, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly Task _acceptLoop;

    public ScriptedBroker(Func<ScriptedSession, Task> script)
    {
        _script = script;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The first failure of the script (the portal sent something unexpected), rethrown by <see cref="DisposeAsync"/>.</summary>
    public Exception? ScriptFailure { get; private set; }

    public MqttBrokerSettings SettingsV5() =>
        MqttTest.Settings("127.0.0.1", ((IPEndPoint)_listener.LocalEndpoint).Port) with { ProtocolVersion = MqttProtocolVersion.V500 };

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _sessions.Add(RunAsync(client));
            }
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Disposed: the listener is stopped.
        }
    }

    private async Task RunAsync(TcpClient client)
    {
        using (client)
        {
#pragma warning disable CA2000 // The adapter owns the channel and disposes it.
            var channel = new MqttTcpChannel(client.GetStream(), client.Client.LocalEndPoint!, client.Client.RemoteEndPoint!, null!);
#pragma warning restore CA2000
            using var adapter = new MqttChannelAdapter(channel, new MqttPacketFormatterAdapter(new MqttBufferWriter(4096, 65535)), MqttNetNullLogger.Instance);
            try
            {
                await _script(new ScriptedSession(adapter, client.Client, _stop.Token));
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                ScriptFailure ??= e;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        await Task.WhenAll(_sessions);
        _listener.Dispose();
        _stop.Dispose();
        if (ScriptFailure is not null)
        {
            throw new InvalidOperationException("The broker's script failed.", ScriptFailure);
        }
    }
}

public sealed class ScriptedSession(MqttChannelAdapter adapter, Socket socket, CancellationToken stopping)
{
    public async Task<T> ReceiveAsync<T>(TimeSpan? patience = null) where T : MqttPacket
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(patience ?? MqttTest.Patience);
        var packet = await adapter.ReceivePacketAsync(timeout.Token);
        return packet as T ?? throw new InvalidOperationException($"Expected {typeof(T).Name}, the client sent {packet?.ToString() ?? "nothing (closed)"}.");
    }

    /// <summary>True if the client sends nothing within <paramref name="quiet"/>; nothing is read (a cancelled read would end MQTTnet's channel).</summary>
    public bool StaysQuiet(TimeSpan quiet) => !socket.Poll(quiet, SelectMode.SelectRead);

    public Task SendAsync(MqttPacket packet) => adapter.SendPacketAsync(packet, stopping);

    /// <summary>
    /// Reads CONNECT and accepts it. The packet's own defaults would claim Maximum QoS 0 and no retain (MQTTnet writes
    /// them as properties), so a broker without limits is spelled out; <paramref name="limits"/> narrows it.
    /// </summary>
    public async Task AcceptAsync(Action<MqttConnAckPacket>? limits = null)
    {
        await ReceiveAsync<MqttConnectPacket>();
        var connAck = new MqttConnAckPacket
        {
            ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.Success,
            MaximumQoS = MQTTnet.Protocol.MqttQualityOfServiceLevel.ExactlyOnce,
            RetainAvailable = true,
        };
        limits?.Invoke(connAck);
        await SendAsync(connAck);
    }

    /// <summary>Keeps the connection open and says nothing more until the broker is disposed.</summary>
    public async Task GoSilentAsync()
    {
        while (await adapter.ReceivePacketAsync(stopping) is not null)
        {
        }
    }
}
