using System.Net;
using System.Net.Sockets;
using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>
/// A scripted MQTT "broker" on loopback, for what a real one will not do on demand: refuse with any
/// return code, send garbage, hang, drop a connection at an exact point of a QoS exchange. Each accepted
/// connection runs the next script in turn (the last one repeats).
/// </summary>
public sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<FakeBrokerSession, Task>[] _scripts;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _sessions = [];

    public FakeBroker(params Func<FakeBrokerSession, Task>[] scripts)
    {
        _scripts = scripts;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections { get; private set; }

    /// <summary>The first failure of a script (a wrong packet from the client), rethrown by <see cref="DisposeAsync"/>.</summary>
    public Exception? ScriptFailure { get; private set; }

    public MqttClientOptions Options() => MqttTest.Options("127.0.0.1", Port);

    /// <summary>Answers CONNECT with an accepting CONNACK (in 5.0 with <paramref name="properties"/>) and returns the CONNECT.</summary>
    public static async Task<ConnectPacket> AcceptConnectAsync(FakeBrokerSession session, MqttProperties? properties = null)
    {
        var connect = await session.ReceiveAsync<ConnectPacket>();
        await session.SendAsync(new ConnAckPacket(SessionPresent: false, ReturnCode: 0, properties));
        return connect;
    }

    /// <summary>A script: accept CONNECT, answer the first <typeparamref name="T"/> the client sends, then stay connected.</summary>
    public static Func<FakeBrokerSession, Task> AnswerFirst<T>(Func<T, MqttPacket> answer, Action<T> received) where T : MqttPacket =>
        async session =>
        {
            await AcceptConnectAsync(session);
            var packet = await session.ReceiveAsync<T>();
            received(packet);
            await session.SendAsync(answer(packet));
            await session.GoSilentAsync();
        };

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var script = _scripts[Math.Min(Connections, _scripts.Length - 1)];
                Connections++;
                _sessions.Add(RunAsync(client, script));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is InvalidOperationException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Disposed between two accepts: the listener is already stopped.
        }
    }

    private async Task RunAsync(TcpClient client, Func<FakeBrokerSession, Task> script)
    {
        using (client)
        {
            try
            {
                await script(new FakeBrokerSession(client.GetStream(), _stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or MqttProtocolException && _stop.IsCancellationRequested)
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
        _stop.Dispose();
        if (ScriptFailure is not null)
        {
            throw new InvalidOperationException("A fake broker script failed.", ScriptFailure);
        }
    }
}

public sealed class FakeBrokerSession(NetworkStream stream, CancellationToken stopping)
{
    private readonly MqttPacketReader _reader = new(stream, 1024 * 1024);

    public async Task<T> ReceiveAsync<T>(TimeSpan? patience = null) where T : MqttPacket
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(patience ?? MqttTest.Patience);
        var packet = await _reader.ReadAsync(timeout.Token);
        if (packet is ConnectPacket connect)
        {
            // The client's CONNECT says which protocol the rest of the session speaks.
            _reader.Version = connect.ProtocolVersion;
        }

        return packet as T ?? throw new InvalidOperationException($"Expected {typeof(T).Name}, the client sent {packet?.ToString() ?? "nothing (closed)"}.");
    }

    /// <summary>True if the client sends nothing within <paramref name="quiet"/> (false, and the packet is lost, if it does).</summary>
    public async Task<bool> StaysQuietAsync(TimeSpan quiet)
    {
        try
        {
            await ReceiveAsync<MqttPacket>(quiet);
            return false;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return true;
        }
    }

    public Task SendAsync(MqttPacket packet) => SendRawAsync(MqttPacketCodec.Encode(packet, _reader.Version));

    public async Task SendRawAsync(byte[] bytes)
    {
        await stream.WriteAsync(bytes, stopping);
        await stream.FlushAsync(stopping);
    }

    /// <summary>Keeps the connection open and says nothing until the broker is disposed: a hung server.</summary>
    public async Task GoSilentAsync()
    {
        var sink = new byte[1024];
        while (await stream.ReadAsync(sink, stopping) > 0)
        {
        }
    }
}
