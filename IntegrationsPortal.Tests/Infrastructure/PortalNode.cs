using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// One portal node as an operator runs it: the built <c>IntegrationsPortal.dll</c> in a process of its own
/// (<c>dotnet IntegrationsPortal.dll</c>, Production environment unless a browser needs its pages) on a loopback port, with a content
/// root of its own and the settings given as environment variables. Several nodes on one PostgreSQL
/// database are a cluster; <see cref="KillAsync"/> ends one as <c>kill -9</c> would, with no chance to
/// finish or record anything. Its console output is kept for the failure message of a test.
/// </summary>
public sealed class PortalNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _contentRoot;
    private readonly ConcurrentQueue<string> _output = new();

    private PortalNode(string name, Process process, TempDirectory contentRoot, Uri rootUri)
    {
        Name = name;
        _process = process;
        _contentRoot = contentRoot;
        RootUri = rootUri;
    }

    public string Name { get; }

    public Uri RootUri { get; }

    /// <summary>The last lines the node wrote, for a failure message.</summary>
    public string RecentOutput => $"--- {Name} ---{Environment.NewLine}{string.Join(Environment.NewLine, _output.TakeLast(60))}";

    /// <summary>
    /// Starts a node and waits until <c>/health/ready</c> says it takes work. A node for a browser runs in
    /// <paramref name="environment"/> Development, as the other browser tests' portals do: the app is built, not
    /// published, so only Development serves its scripts and styles (static web assets) from the build output.
    /// </summary>
    public static async Task<PortalNode> StartAsync(string name, IReadOnlyDictionary<string, string> settings, string environment = "Production")
    {
        var port = PortalAppFactory.FreeLoopbackPort();
        var rootUri = new Uri($"http://127.0.0.1:{port}/");
        var contentRoot = new TempDirectory();
        var start = new ProcessStartInfo(DotnetHost(), [PortalAssembly(), "--urls", rootUri.ToString().TrimEnd('/'), "--contentRoot", contentRoot.Path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = contentRoot.Path,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var node = new PortalNode(name, process, contentRoot, rootUri);
        process.OutputDataReceived += (_, line) => node.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => node.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = rootUri, Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.TrueAsync(async () => !process.HasExited && await node.AnswersReadyAsync(client), $"node {name} to be ready", TimeSpan.FromSeconds(90));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await node.DisposeAsync();
            throw new InvalidOperationException($"Node {name} did not start.{Environment.NewLine}{node.RecentOutput}", e);
        }

        return node;
    }

    /// <summary>Ends the process at once (SIGKILL): no shutdown, no last writes, as a crash or <c>kill -9</c>.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        _contentRoot.Dispose();
    }

    /// <summary>The web app the tests build, copied beside them by the project reference.</summary>
    private static string PortalAssembly() => Path.Combine(AppContext.BaseDirectory, "IntegrationsPortal.dll");

    /// <summary>The dotnet host that runs the tests (the CLI tells child processes where it is), else the one on the PATH.</summary>
    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private async Task<bool> AnswersReadyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("health/ready", TestContext.Current.CancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 500)
        {
            _output.TryDequeue(out _);
        }
    }
}
