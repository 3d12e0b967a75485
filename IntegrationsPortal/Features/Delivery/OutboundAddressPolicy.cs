using System.Net;
using System.Net.Sockets;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>Refused by the outbound URL policy; final, never retried.</summary>
public sealed class OutboundAddressRefusedException(string host)
    : IOException($"The address of '{host}' is on a loopback, private, link-local or cloud metadata network, which deliveries may not reach.");

/// <summary>
/// Keeps deliveries away from the portal's own network (SSRF): loopback, private, link-local and
/// cloud metadata addresses are refused unless a configured network allows them. Checked in the
/// connect callback on the address actually dialled, so a name that re-resolves to an inner
/// address after validation (DNS rebinding) cannot slip through.
/// </summary>
public sealed class OutboundAddressPolicy
{
    private static readonly IPNetwork[] Blocked =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), // link-local, with the 169.254.169.254 metadata service
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("100.100.100.200/32"), // Alibaba Cloud metadata
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("fc00::/7"), // unique local, with AWS's fd00:ec2::254
        IPNetwork.Parse("fe80::/10"),
    ];

    private readonly IReadOnlyList<IPNetwork> _allowed;

    public OutboundAddressPolicy(DeliveryOptions options)
    {
        _allowed = options.AllowedNetworks.Select(IPNetwork.Parse).ToList();
    }

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return _allowed.Any(n => n.Contains(address)) || !Blocked.Any(n => n.Contains(address));
    }

    /// <summary>Resolves the host and returns the addresses it may use, or refuses.</summary>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = addresses.Where(IsAllowed).ToArray();
        return usable.Length > 0 ? usable : throw new OutboundAddressRefusedException(host);
    }

    /// <summary>For <see cref="SocketsHttpHandler.ConnectCallback"/>: dial only addresses the policy allows.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, ct);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsRefusal(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundAddressRefusedException)
            {
                return true;
            }
        }

        return false;
    }
}
