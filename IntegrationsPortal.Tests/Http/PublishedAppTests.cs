using System.Diagnostics;
using System.Net;
using System.Text;

namespace IntegrationsPortal.Tests.Http;

/// <summary>
/// The portal as a deployment runs it: the published output started with <c>dotnet IntegrationsPortal.dll</c>
/// in Production, told where to listen by ASPNETCORE_URLS alone (as containers and service managers do).
/// </summary>
public sealed class PublishedAppTests(PublishedApp app) : IClassFixture<PublishedApp>
{
    [Fact]
    public async Task ListensWhereAspNetCoreUrlsSays_AndSendsAFreshPortalToSetup()
    {
        Assert.Equal(app.Address, app.ListeningOn);
        using var response = await app.Client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/setup", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ServesTheBlazorScriptFromThePublishedOutput()
    {
        using var response = await app.Client.GetAsync("/_framework/blazor.web.js", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length > 10_000, "the whole script, not a stub");
    }
}

/// <summary>
/// Publishes the portal once (from the build the tests ran on, so no second build) and starts it
/// once as a child process on a free loopback port; stops it at the end.
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly TempDirectory _output = new();
    private readonly TempDirectory _data = new();
    private readonly StringBuilder _log = new();
    private Process? _process;

    public HttpClient Client { get; private set; } = default!;

    /// <summary>The address ASPNETCORE_URLS named.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The first address the portal said it listens on.</summary>
    public string ListeningOn { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var root = RepositoryRoot();
        var publish = Stopwatch.StartNew();
        await RunToEndAsync(Dotnet(["publish", Path.Combine(root, "IntegrationsPortal"), "-c", Configuration, "--no-build", "-o", _output.Path], root), timeout.Token);
        TestContext.Current.SendDiagnosticMessage($"dotnet publish took {publish.Elapsed.TotalSeconds:0} s");

        Address = $"http://127.0.0.1:{PortalAppFactory.FreeLoopbackPort()}";
        var start = Dotnet([Path.Combine(_output.Path, "IntegrationsPortal.dll")], _output.Path);
        start.Environment["ASPNETCORE_URLS"] = Address;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Portal"] = $"Data Source={_data.DatabaseFile}";
        // Nothing else may name the address: only ASPNETCORE_URLS is under test.
        start.Environment.Remove("URLS");
        start.Environment.Remove("DOTNET_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        start.Environment.Remove("ASPNETCORE_HTTPS_PORTS");

        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Record(e.Data, listening);
        _process.ErrorDataReceived += (_, e) => Record(e.Data, listening);
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The portal exited ({_process.ExitCode}):\n{Log()}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Its own words, not polling: Kestrel logs each address once it listens there.
        ListeningOn = await listening.Task.WaitAsync(timeout.Token);
#pragma warning disable CA2000 // The client disposes its handler.
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: true) { BaseAddress = new Uri(Address) };
#pragma warning restore CA2000
    }

    public ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _output.Dispose();
        _data.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Record(string? line, TaskCompletionSource<string> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        const string Listening = "Now listening on: ";
        if (line.IndexOf(Listening, StringComparison.Ordinal) is var at and >= 0)
        {
            listening.TrySetResult(line[(at + Listening.Length)..].Trim());
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private async Task RunToEndAsync(ProcessStartInfo start, CancellationToken ct)
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed:\n{await output}\n{await errors}");
        }
    }

    private static ProcessStartInfo Dotnet(string[] arguments, string workingDirectory)
    {
        // The host the SDK runs the tests with; "dotnet" on the PATH otherwise.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IntegrationsPortal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("IntegrationsPortal.sln not found above " + AppContext.BaseDirectory);
    }
}
