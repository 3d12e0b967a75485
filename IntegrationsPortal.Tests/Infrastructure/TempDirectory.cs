namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>A folder of its own for one app or database under test, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("portal-test-").FullName;

    public string DatabaseFile => System.IO.Path.Combine(Path, "portal.db");

    public void Dispose()
    {
        // SQLite's pool may hold the file briefly; a leftover temp folder is harmless.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
