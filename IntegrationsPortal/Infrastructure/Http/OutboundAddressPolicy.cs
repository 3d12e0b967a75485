using System.Net;
using System.Net.Sockets;

namespace IntegrationsPortal.Infrastructure.Http;

/// <summary>
/// Refused by the outbound address policy: the destination is loopback, private, link-local or a
/// cloud metadata address. Final: the address will not change by itself, so callers never retry it.
/// The message names the address and the setting that allows it, never a credential.
/// </summary>
public sealed class OutboundAddressRefusedException(string host, IPAddress address)
    : IOException(Describe(host, address))
{
    public string Host { get; } = host;

    public IPAddress Address { get; } = address;

    private static string Describe(string host, IPAddress address)
    {
        var network = OutboundAddressPolicy.NetworkKind(address);
        // A literal (also "[::ffff:10.0.0.5]") is named once, as the address it stands for.
        var shown = IPAddress.TryParse(host.Trim('[', ']'), out _) ? $"The address {address}" : $"The address {address} of '{host}'";
        return $"{shown} is in a {network}; an administrator can allow it with {OutboundPolicyOptions.SettingName}.";
    }
}

/// <summary>The allowlist, read from <c>Portal:Delivery:AllowedNetworks</c> (one setting for every channel).</summary>
public sealed class OutboundPolicyOptions
{
    public const string Section = "Portal:Delivery";

    public const string SettingName = "Portal:Delivery:AllowedNetworks";

    /// <summary>CIDRs let through although they are private or loopback (tests, on-premises receivers).</summary>
    public List<string> AllowedNetworks { get; set; } = [];
}

/// <summary>
/// Keeps every outbound connection the portal makes (deliveries, verifications, pulls, MQTT, SMTP)
/// away from the portal's own network (SSRF): loopback, private, link-local and cloud metadata
/// addresses are refused unless a configured network allows them. The check is made at connect
/// time on the address actually dialled, so a name that re-resolves to an inner address after
/// validation (DNS rebinding) cannot slip through. HTTP clients use <see cref="ConnectAsync(SocketsHttpConnectionContext, CancellationToken)"/>
/// as their connect callback; MQTT and SMTP open their socket with <see cref="ConnectAsync(string, int, CancellationToken)"/>.
/// </summary>
public sealed class OutboundAddressPolicy
{
    private static readonly (IPNetwork Network, string Kind)[] Blocked =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "reserved network"),
        (IPNetwork.Parse("10.0.0.0/8"), "private network"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT network"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback network"),
        (IPNetwork.Parse("169.254.169.254/32"), "cloud metadata service"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local network"),
        (IPNetwork.Parse("172.16.0.0/12"), "private network"),
        (IPNetwork.Parse("192.168.0.0/16"), "private network"),
        (IPNetwork.Parse("100.100.100.200/32"), "cloud metadata service"), // Alibaba Cloud
        (IPNetwork.Parse("::1/128"), "loopback network"),
        (IPNetwork.Parse("::/128"), "reserved network"),
        (IPNetwork.Parse("fc00::/7"), "private network"), // unique local, with AWS's fd00:ec2::254
        (IPNetwork.Parse("fe80::/10"), "link-local network"),
    ];

    private readonly IReadOnlyList<IPNetwork> _allowed;

    public OutboundAddressPolicy(OutboundPolicyOptions options)
    {
        _allowed = options.AllowedNetworks.Select(IPNetwork.Parse).ToList();
    }

    public IReadOnlyList<IPNetwork> AllowedNetworks => _allowed;

    public bool IsAllowed(IPAddress address)
    {
        address = Normalize(address);
        return _allowed.Any(n => n.Contains(address)) || NetworkKind(address) == "public network";
    }

    /// <summary>What kind of network an address is in, in words for an operator.</summary>
    public static string NetworkKind(IPAddress address)
    {
        address = Normalize(address);
        foreach (var (network, kind) in Blocked)
        {
            if (network.Contains(address))
            {
                return kind;
            }
        }

        return "public network";
    }

    /// <summary>Resolves the host and returns the addresses it may use, or refuses.</summary>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = addresses.Where(IsAllowed).ToArray();
        if (usable.Length > 0)
        {
            return usable;
        }

        throw addresses.Length > 0
            ? new OutboundAddressRefusedException(host, Normalize(addresses[0]))
            : new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Opens a TCP connection to an allowed address of the host, or refuses before dialling anything.</summary>
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken ct)
    {
        var addresses = await ResolveAsync(host, ct);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>For <see cref="SocketsHttpHandler.ConnectCallback"/>: dial only addresses the policy allows.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
#pragma warning disable CA2000 // The stream owns the socket (ownsSocket) and the handler owns the stream.
        var socket = await ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, ct);
#pragma warning restore CA2000
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>
    /// A handler whose every connection goes through the policy. Redirects are not followed unless
    /// a caller turns them on; if it does, each hop's connection still passes the connect callback.
    /// No proxy: through one, the callback would check the proxy's address instead of the destination's.
    /// </summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectCallback = ConnectAsync,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>
    /// A client for one HTTP Digest request: credentials are per handler, so it gets a handler of
    /// its own, whose cache offers them to a Digest challenge only (never Basic).
    /// </summary>
    public HttpClient CreateDigestClient(Uri uri, NetworkCredential credential, TimeSpan timeout)
    {
#pragma warning disable CA2000 // The client disposes its handler (disposeHandler: true).
        var handler = CreateHandler();
#pragma warning restore CA2000
        handler.Credentials = new CredentialCache { { new Uri(uri.GetLeftPart(UriPartial.Authority)), "Digest", credential } };
        handler.PreAuthenticate = false;
        return new HttpClient(handler, disposeHandler: true) { Timeout = timeout };
    }

    public static bool IsRefusal(Exception e) => FindRefusal(e) is not null;

    public static OutboundAddressRefusedException? FindRefusal(Exception? e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundAddressRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
