using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>What a <see cref="MosquittoBroker"/> offers besides its anonymous plain-TCP listener.</summary>
public sealed class MosquittoSetup
{
    /// <summary>Accounts for the password file; checked on every listener, required on <see cref="MosquittoBroker.AuthPort"/>.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>With a key: adds a TLS listener and one that requires a client certificate issued by <see cref="CaCertificate"/>.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    public X509Certificate2? CaCertificate { get; init; }

    /// <summary>Keep sessions and queued messages across a stop and start (saved on SIGTERM).</summary>
    public bool Persistence { get; init; }

    /// <summary>
    /// With any: an ACL file on both listeners lets everyone read and write every topic except these filters.
    /// Mosquitto 2 answers an MQTT 5.0 publish there with PUBACK/PUBREC reason code 0x87 (and 3.1.1 ones silently).
    /// </summary>
    public IReadOnlyList<string> DeniedTopics { get; init; } = [];
}

/// <summary>
/// A real Mosquitto on free loopback ports, with a config generated in a temp folder. Free of xUnit so
/// the benchmark can compile this same file. It can stop and start again on the same ports, and pause
/// (SIGSTOP) to play a broker that hangs.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";
    private const string PasswdExecutable = "/usr/bin/mosquitto_passwd";

    private readonly string _directory = Directory.CreateTempSubdirectory("mosquitto-").FullName;
    private readonly MosquittoSetup _setup;
    private Process? _process;

    private MosquittoBroker(MosquittoSetup setup)
    {
        _setup = setup;
        Port = FreeLoopbackPort();
        AuthPort = FreeLoopbackPort();
        TlsPort = FreeLoopbackPort();
        MutualTlsPort = FreeLoopbackPort();
    }

    public string Host => "127.0.0.1";

    /// <summary>Anonymous allowed; a given user name must match the password file.</summary>
    public int Port { get; }

    /// <summary>Only users from the password file.</summary>
    public int AuthPort { get; }

    public int TlsPort { get; }

    public int MutualTlsPort { get; }

    private bool HasTls => _setup.ServerCertificate is not null;

    private string LogFile => Path.Combine(_directory, "mosquitto.log");

    public static async Task<MosquittoBroker> StartAsync(MosquittoSetup? setup = null)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"Mosquitto is not installed at {Executable}; run .ci/run (it installs it) or apt-get install mosquitto.");
        }

        var broker = new MosquittoBroker(setup ?? new MosquittoSetup());
        try
        {
            await broker.WriteConfigAsync();
            await broker.StartAsync();
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (again) on the same ports and waits until every listener accepts connections.</summary>
    public async Task StartAsync()
    {
        _process = Process.Start(new ProcessStartInfo(Executable, ["-c", Path.Combine(_directory, "mosquitto.conf")])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Mosquitto did not start.");
        // Drained so a chatty broker never blocks on a full pipe; the log file has the details.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        int[] ports = HasTls ? [Port, AuthPort, TlsPort, MutualTlsPort] : [Port, AuthPort];
        var deadline = Stopwatch.StartNew();
        foreach (var port in ports)
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
                {
                    throw new InvalidOperationException($"Mosquitto did not come up on port {port}. Its log:\n{ReadLog()}");
                }

                await Task.Delay(20);
            }
        }
    }

    /// <summary>SIGTERM, as an orderly broker shutdown (it saves persistence), and waits for the exit.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await SignalAsync("TERM");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
        }
    }

    /// <summary>Freezes the broker: connections stay open but nothing is answered, like a hung server.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    public Task ResumeAsync() => SignalAsync("CONT");

    public string ReadLog()
    {
        try
        {
            return File.ReadAllText(LogFile);
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // A paused broker would ignore SIGTERM; SIGKILL ends it regardless.
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("/bin/kill", [$"-{signal}", _process!.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    private async Task WriteConfigAsync()
    {
        var passwordFile = Path.Combine(_directory, "passwords");
        var create = true;
        foreach (var (user, password) in _setup.Users)
        {
            await RunAsync(PasswdExecutable, create ? ["-b", "-c", passwordFile, user, password] : ["-b", passwordFile, user, password]);
            create = false;
        }

        var passwordLine = _setup.Users.Count > 0 ? $"password_file {passwordFile}" : "";
        if (_setup.DeniedTopics.Count > 0)
        {
            // Lines before any "user" apply to anonymous clients; "pattern" lines to everyone. Denials win.
            var aclFile = Path.Combine(_directory, "acl");
            var denials = string.Concat(_setup.DeniedTopics.Select(topic => $"pattern deny {topic}\n"));
            await File.WriteAllTextAsync(aclFile, $"pattern readwrite #\n{denials}");
            passwordLine += $"\nacl_file {aclFile}";
        }

        var config = $"""
            # Root here: the default would drop privileges to a user that cannot read this temp folder.
            user root
            per_listener_settings true
            log_dest file {LogFile}
            persistence {(_setup.Persistence ? "true" : "false")}
            persistence_location {_directory}/

            listener {Port} {Host}
            allow_anonymous true
            {passwordLine}

            listener {AuthPort} {Host}
            allow_anonymous false
            {passwordLine}

            """;
        if (_setup.ServerCertificate is { } server)
        {
            var certFile = await WritePemAsync("server.crt", server.ExportCertificatePem());
            var keyFile = await WritePemAsync("server.key", TestCertificates.PrivateKeyPem(server));
            var caFile = await WritePemAsync("ca.crt", (_setup.CaCertificate ?? server).ExportCertificatePem());
            config += $"""
                listener {TlsPort} {Host}
                allow_anonymous true
                certfile {certFile}
                keyfile {keyFile}

                listener {MutualTlsPort} {Host}
                allow_anonymous true
                certfile {certFile}
                keyfile {keyFile}
                cafile {caFile}
                require_certificate true

                """;
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, "mosquitto.conf"), config);
    }

    private async Task<string> WritePemAsync(string name, string pem)
    {
        var path = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(path, pem);
        return path;
    }

    private static async Task RunAsync(string executable, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(executable, arguments) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} failed: {error}");
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
