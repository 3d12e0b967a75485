using System.Diagnostics;
using System.Net;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>What a first start leaves on disk, and a start on a disk it cannot write.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataAtRestTests : IAsyncLifetime
{
    private readonly TempDirectory _root = new();
    private PortalAppFactory _app = default!;

    private string DataFolder => Path.Combine(_root.Path, "App_Data");

    public ValueTask InitializeAsync()
    {
        _app = new PortalAppFactory { Settings = { ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(DataFolder, "portal.db")}" } };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task FirstStart_MakesTheDataFolderAndDatabaseOwnerOnly_AndEncryptsTheCookieKeys()
    {
        var tenant = await _app.Services.SetUpFirstOrganizationAsync();
        // Signing in makes Data Protection write its first key, and proves the encrypted key opens again.
        using var client = await _app.SignedInClientAsync(tenant.AdminEmail);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(DataFolder));
        foreach (var file in Directory.GetFiles(DataFolder, "portal.db*"))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var keyFile = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(Path.Combine(DataFolder, "keys"), "*.xml")), TestContext.Current.CancellationToken);
        Assert.Contains("vaultEncrypted", keyFile, StringComparison.Ordinal);
        Assert.DoesNotContain("unencrypted form", keyFile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstStart_MakesEveryFolderItCreatesInTheDataFolder0700_AndEveryFile0600()
    {
        var tenant = await _app.Services.SetUpFirstOrganizationAsync();
        using var client = await _app.SignedInClientAsync(tenant.AdminEmail);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);

        // The Data Protection keys and the vault's key are there; neither may be open to other local users.
        var folders = Directory.GetDirectories(DataFolder, "*", SearchOption.AllDirectories);
        Assert.Contains(folders, f => Path.GetFileName(f) == "keys");
        Assert.Contains(folders, f => Path.GetFileName(f) == "vault");
        Assert.All(folders, folder => Assert.Equal(
            (folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), (folder, File.GetUnixFileMode(folder))));
        var files = Directory.GetFiles(DataFolder, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(".kek", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".xml", StringComparison.Ordinal));
        Assert.All(files, file => Assert.Equal(
            (file, UnixFileMode.UserRead | UnixFileMode.UserWrite), (file, File.GetUnixFileMode(file))));
    }

    [Fact]
    public async Task StartOnAPathItCannotWrite_ExitsWithOneLineAndCode74()
    {
        // A regular file where the data folder's parent should be: no directory can be made there, even as root.
        var blocker = Path.Combine(_root.Path, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "", TestContext.Current.CancellationToken);

        var (exitCode, stderr) = await StartPortalAsync(Path.Combine(blocker, "App_Data", "portal.db"));

        Assert.Equal(74, exitCode);
        Assert.StartsWith("The portal cannot write its data folder", Assert.Single(stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartOnAFullDisk_ExitsWithOneLineAndCode74()
    {
        // No room to write: the process may not grow any file past 16 KiB (ulimit -f), as on a full disk
        // writes stop partway. SIGXFSZ is ignored so the write fails instead of killing the process, and
        // W^X is off because its double-mapped code memory is a file the same limit would refuse.
        var (exitCode, stderr) = await StartPortalAsync(Path.Combine(DataFolder, "portal.db"), fileSizeLimitKiB: 16);

        Assert.Equal(74, exitCode);
        Assert.Matches("^The portal cannot write its (database|data folder) \\(check the disk is writable and not full", Assert.Single(stderr));
    }

    /// <summary>Runs the built portal as its own process on <paramref name="database"/> until it exits; its exit code and stderr lines.</summary>
    private static async Task<(int ExitCode, string[] Stderr)> StartPortalAsync(string database, int? fileSizeLimitKiB = null)
    {
        var portal = Path.Combine(AppContext.BaseDirectory, "IntegrationsPortal.dll");
        var start = fileSizeLimitKiB is { } limit
            ? new ProcessStartInfo("bash", ["-c", $"trap '' XFSZ; ulimit -f {limit}; exec dotnet \"$0\"", portal])
            : new ProcessStartInfo("dotnet", [portal]);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.WorkingDirectory = AppContext.BaseDirectory;
        start.Environment["ConnectionStrings__Portal"] = $"Data Source={database}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{PortalAppFactory.FreeLoopbackPort()}";
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
