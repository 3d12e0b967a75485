using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>What an <see cref="SmtpServer"/> demands besides plain SMTP.</summary>
public sealed record SmtpServerSetup
{
    /// <summary>Turns on STARTTLS with this certificate (with its key) and refuses MAIL before it.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Turns on AUTH LOGIN/PLAIN for this one account and refuses MAIL before it (after TLS when TLS is on).</summary>
    public string? UserName { get; init; }

    public string? Password { get; init; }
}

/// <summary>
/// A real SMTP server on loopback: Debian's python3-aiosmtpd (through smtp_server.py, since its
/// command line has no TLS or AUTH), storing what it receives in a Maildir. Only Debian's own
/// /usr/bin/python3 can import aiosmtpd.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _files;

    private SmtpServer(int port, Process process, TempDirectory files)
    {
        Port = port;
        _process = process;
        _files = files;
    }

    /// <summary>The login <see cref="StartSubmissionAsync"/> demands.</summary>
    public const string SubmissionUser = "portal-mailer";

    public const string SubmissionPassword = "smtp-password-8128";

    public int Port { get; }

    /// <summary>For a server from <see cref="StartSubmissionAsync"/>: the PEM of the CA that signed its certificate.</summary>
    public string? CaPem { get; private set; }

    public string PortText => Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A submission server as on port 587: STARTTLS with a certificate from a CA made here (see
    /// <see cref="CaPem"/>), and <see cref="SubmissionUser"/>'s login required after it.
    /// </summary>
    public static async Task<SmtpServer> StartSubmissionAsync()
    {
        using var ca = TestCertificates.CreateCa("Acme Mail CA");
        using var certificate = TestCertificates.IssueServer(ca);
        var server = await StartAsync(new SmtpServerSetup { Certificate = certificate, UserName = SubmissionUser, Password = SubmissionPassword });
        server.CaPem = ca.ExportCertificatePem();
        return server;
    }

    public static async Task<SmtpServer> StartAsync(SmtpServerSetup? setup = null)
    {
        // A port found free can be taken by another process's outgoing connection before python binds it
        // (seen in CI: "address already in use"); a new port then is all it takes.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync(setup ?? new SmtpServerSetup()) is { } server)
            {
                return server;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException("aiosmtpd did not start listening (is python3-aiosmtpd installed? see the test output for its error)");
            }
        }
    }

    private static async Task<SmtpServer?> TryStartAsync(SmtpServerSetup setup)
    {
        var port = FreePort();
        var files = new TempDirectory();
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Features", "Delivery", "smtp_server.py"), "--port", $"{port}", "--maildir", Path.Combine(files.Path, "maildir") },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (setup.Certificate is { } certificate)
        {
            var certFile = Path.Combine(files.Path, "server.crt");
            var keyFile = Path.Combine(files.Path, "server.key");
            await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, TestCertificates.PrivateKeyPem(certificate));
            start.ArgumentList.Add("--cert");
            start.ArgumentList.Add(certFile);
            start.ArgumentList.Add("--key");
            start.ArgumentList.Add(keyFile);
        }

        if (setup.UserName is { } user)
        {
            start.ArgumentList.Add("--user");
            start.ArgumentList.Add(user);
            start.Environment["SMTP_TEST_PASSWORD"] = setup.Password ?? "";
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var server = new SmtpServer(port, process, files);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            if (await process.StandardOutput.ReadLineAsync(timeout.Token) == "ready")
            {
                return server;
            }
        }
        catch (OperationCanceledException)
        {
        }

        await server.DisposeAsync();
        return null;
    }

    private string MailDirectory => Path.Combine(_files.Path, "maildir");

    /// <summary>The raw messages received so far.</summary>
    public IReadOnlyList<string> Messages() =>
        Directory.Exists(Path.Combine(MailDirectory, "new"))
            ? Directory.GetFiles(Path.Combine(MailDirectory, "new")).Select(File.ReadAllText).ToList()
            : [];

    /// <summary>A raw message with its quoted-printable body decoded (soft line breaks joined), for assertions on the text.</summary>
    public static string Readable(string raw) =>
        Regex.Replace(Regex.Replace(raw, "=\r?\n", ""), "=([0-9A-F]{2})",
            m => ((char)Convert.ToByte(m.Groups[1].Value, 16)).ToString());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _files.Dispose();
    }
}
