using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay to <paramref name="targetPort"/> that holds every connection until
/// <paramref name="together"/> have arrived and then lets them all through at once, so a test
/// knows that many sessions really are in flight at the same time.
/// </summary>
public sealed class SimultaneousRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly int _targetPort;
    private readonly int _together;
    private readonly Task _loop;

    public SimultaneousRelay(int targetPort, int together)
    {
        _targetPort = targetPort;
        _together = together;
        _listener.Start();
        _loop = AcceptAsync();
    }

    public string PortText => ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task AcceptAsync()
    {
        try
        {
            for (var arrived = 1; ; arrived++)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                _relays.Add(RelayAsync(client));
                if (arrived == _together)
                {
                    _allArrived.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException)
        {
            _allArrived.TrySetCanceled();
        }
    }

    private async Task RelayAsync(Socket client)
    {
        try
        {
            // Nothing reaches the server, not even its greeting, before every session has connected.
            await _allArrived.Task;
            using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            await using var toClient = new NetworkStream(client, ownsSocket: true);
            await using var toServer = new NetworkStream(server, ownsSocket: false);
            // When either side hangs up, the other is closed too.
            await Task.WhenAny(PumpAsync(toClient, toServer), PumpAsync(toServer, toClient));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            client.Dispose();
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        await Task.WhenAll(_relays);
        _stop.Dispose();
    }
}
