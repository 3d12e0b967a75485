using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Data.Sqlite;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>What a first start leaves on disk, and a start on a disk it cannot write.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataAtRestTests : IAsyncLifetime
{
    private readonly TempDirectory _root = new();
    private PortalAppFactory _app = default!;

    private string DataFolder => Path.Combine(_root.Path, "App_Data");

    private string DatabaseConnectionString => $"Data Source={Path.Combine(DataFolder, "portal.db")}";

    public ValueTask InitializeAsync()
    {
        _app = new PortalAppFactory { Settings = { ["ConnectionStrings:Portal"] = DatabaseConnectionString } };
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

        // The key is in the database (every node reads it there), its secret sealed with the vault's key.
        var key = Assert.Single(await KeyRowsAsync());
        Assert.Contains("vaultEncrypted", key.Xml, StringComparison.Ordinal);
        Assert.DoesNotContain("masterKey", key.Xml, StringComparison.Ordinal);
        Assert.DoesNotContain("unencrypted form", key.Xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CookieKeysInTheDatabase_OpenNothingWithoutTheVaultKey()
    {
        var tenant = await _app.Services.SetUpFirstOrganizationAsync();
        var cookies = new CookieContainer();
        using (var client = _app.CreateDefaultClient(new CookieContainerHandler(cookies)))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await PortalAppFactory.SignInAsync(client, tenant.AdminEmail, TestPasswords.Strong)).StatusCode);
        }

        await _app.DisposeAsync();

        // The same database and cookie, but the vault's key folder lost (a copy of the database alone).
        _app = new PortalAppFactory { Settings = { ["ConnectionStrings:Portal"] = DatabaseConnectionString, ["Portal:Vault:KeyDirectory"] = Path.Combine(_root.Path, "other-vault") } };
        using var again = _app.CreateDefaultClient(new CookieContainerHandler(cookies));
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task KeyFilesOfAnEarlierVersion_MoveIntoTheDatabase_AndKeepEveryoneSignedIn()
    {
        var tenant = await _app.Services.SetUpFirstOrganizationAsync();
        var cookies = new CookieContainer();
        using (var client = _app.CreateDefaultClient(new CookieContainerHandler(cookies)))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await PortalAppFactory.SignInAsync(client, tenant.AdminEmail, TestPasswords.Strong)).StatusCode);
        }

        await _app.DisposeAsync();

        // The data folder as an earlier version left it: the key a file in keys/, no key in the database.
        var key = Assert.Single(await KeyRowsAsync());
        var keyFolder = Directory.CreateDirectory(Path.Combine(DataFolder, "keys")).FullName;
        await File.WriteAllTextAsync(Path.Combine(keyFolder, key.FriendlyName + ".xml"), key.Xml, TestContext.Current.CancellationToken);
        await ExecuteAsync("DELETE FROM DataProtectionKeys");

        _app = new PortalAppFactory { Settings = { ["ConnectionStrings:Portal"] = DatabaseConnectionString } };
        using var again = _app.CreateDefaultClient(new CookieContainerHandler(cookies));
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(key.Xml, Assert.Single(await KeyRowsAsync()).Xml);
    }

    [Fact]
    public async Task FirstStart_MakesEveryFolderItCreatesInTheDataFolder0700_AndEveryFile0600()
    {
        var tenant = await _app.Services.SetUpFirstOrganizationAsync();
        using var client = await _app.SignedInClientAsync(tenant.AdminEmail);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);

        // The vault's key is there (the Data Protection keys are in the database); none may be open to other local users.
        var folders = Directory.GetDirectories(DataFolder, "*", SearchOption.AllDirectories);
        Assert.Contains(folders, f => Path.GetFileName(f) == "vault");
        Assert.All(folders, folder => Assert.Equal(
            (folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), (folder, File.GetUnixFileMode(folder))));
        var files = Directory.GetFiles(DataFolder, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(".kek", StringComparison.Ordinal));
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

    private async Task<List<(string FriendlyName, string Xml)>> KeyRowsAsync()
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT FriendlyName, Xml FROM DataProtectionKeys ORDER BY Id";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private async Task<SqliteConnection> OpenDatabaseAsync()
    {
        var connection = new SqliteConnection(DatabaseConnectionString + ";Pooling=false");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
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
