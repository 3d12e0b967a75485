using System.Net;
using System.Net.Sockets;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// A bare TCP listener that only counts who connected: the place a refused channel (HTTP, SMTP,
/// MQTT) would have reached. The kernel completes a handshake into the backlog before the client's connect returns,
/// so once the portal's call has finished, <see cref="Connections"/> is final; no waiting needed.
/// </summary>
public sealed class ConnectionCounter : IDisposable
{
    private readonly TcpListener _listener;
    private int _accepted;

    public ConnectionCounter(string address = "127.0.0.1")
    {
        _listener = new TcpListener(IPAddress.Parse(address), 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Url = new Uri($"http://{address}:{Port}/");
    }

    public int Port { get; }

    public string PortText => Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The listener as an http URL, for the HTTP channels.</summary>
    public Uri Url { get; }

    /// <summary>Connections made so far (each is taken off the backlog and closed).</summary>
    public int Connections
    {
        get
        {
            while (_listener.Pending())
            {
                _listener.AcceptSocket().Dispose();
                _accepted++;
            }

            return _accepted;
        }
    }

    public void Dispose() => _listener.Stop();
}
