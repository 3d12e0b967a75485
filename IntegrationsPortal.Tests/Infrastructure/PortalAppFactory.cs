using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The whole portal on a SQLite file of its own (a PostgreSQL database under <see cref="OnPostgreSQLAttribute"/>). In-memory for HTTP tests; with
/// <see cref="StartOnLoopback"/> it listens on a real loopback port for the browser tests.
/// Runs as Development so static web assets (MudBlazor, blazor.web.js) come from the build output.
/// With <paramref name="allowLoopback"/> false the outbound policy has no allowlist, as in production.
/// </summary>
public class PortalAppFactory(bool allowLoopback = true) : WebApplicationFactory<Program>
{
    private readonly TempDirectory _directory = new();

    public Uri? RootUri { get; private set; }

    /// <summary>The sign-in rate limit; the shared portals sign in far more often than a person would.</summary>
    public int SignInAttemptsPerAddress { get; init; } = 100_000;

    /// <summary>Further settings, as appsettings.json or environment variables would give them.</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>
    /// The content root in this factory's own folder, not the project's: a node of a cluster on a machine of
    /// its own, whose local data folder (App_Data on PostgreSQL) no other node sees.
    /// </summary>
    public bool OwnContentRoot { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        if (OwnContentRoot)
        {
            builder.UseContentRoot(_directory.Path);
        }
        foreach (var (key, value) in _directory.DatabaseSettings())
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Portal:Security:SignInAttemptsPerAddress", SignInAttemptsPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        if (allowLoopback)
        {
            // Receivers in the tests listen on loopback, which the outbound URL policy refuses by default.
            builder.UseSetting(PortalServices.LoopbackAllowance.Key, PortalServices.LoopbackAllowance.Network);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    /// <summary>Starts Kestrel on a free loopback port, for Chromium.</summary>
    public Uri StartOnLoopback()
    {
        var port = FreeLoopbackPort();
        UseKestrel(port);
        StartServer();
        RootUri = new Uri($"http://127.0.0.1:{port}/");
        return RootUri;
    }

    /// <summary>A client that signed in through the real form, antiforgery token and all.</summary>
    public async Task<HttpClient> SignedInClientAsync(string email, string password = TestPasswords.Strong)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await SignInAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        }

        return client;
    }

    /// <summary>Posts the sign-in form; <paramref name="query"/> is what a link to the form carried (a return URL).</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password, string query = "")
    {
        var token = await AntiforgeryTokenAsync(client, "/account/login");
        return await client.PostFormAsync("/account/login" + query, new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }, TestContext.Current.CancellationToken);
    }

    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        var match = Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"No antiforgery token on {path}");
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }
}
