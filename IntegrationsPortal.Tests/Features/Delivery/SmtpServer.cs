using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>A real SMTP server on loopback: Debian's python3-aiosmtpd, storing what it receives in a Maildir.</summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _mail;

    private SmtpServer(int port, Process process, TempDirectory mail)
    {
        Port = port;
        _process = process;
        _mail = mail;
    }

    public int Port { get; }

    public static async Task<SmtpServer> StartAsync()
    {
        var port = FreePort();
        var mail = new TempDirectory();
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(mail.Path, "maildir") },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var server = new SmtpServer(port, process, mail);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("aiosmtpd did not start listening (is python3-aiosmtpd installed?)");
    }

    private string MailDirectory => Path.Combine(_mail.Path, "maildir");

    /// <summary>The raw messages received so far.</summary>
    public IReadOnlyList<string> Messages() =>
        Directory.Exists(Path.Combine(MailDirectory, "new"))
            ? Directory.GetFiles(Path.Combine(MailDirectory, "new")).Select(File.ReadAllText).ToList()
            : [];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _mail.Dispose();
    }
}
