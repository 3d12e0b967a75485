using Microsoft.Data.Sqlite;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// The data folder and database files are the portal's alone: the folder 0700, portal.db and its
/// -wal and -shm files 0600 (SQLite gives those the database file's mode). The database holds
/// password hashes, wrapped credentials and the (vault-encrypted) Data Protection keys; the folder also
/// holds the vault's keys.
/// </summary>
public static class DataFiles
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// A folder of the portal's own inside the data folder (the vault's keys): made
    /// 0700, and tightened to 0700 when an older version left it open.
    /// </summary>
    public static DirectoryInfo OwnerOnlySubfolder(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(directory);
        }

        if (!Directory.Exists(directory))
        {
            return Directory.CreateDirectory(directory, OwnerOnlyFolder);
        }

        File.SetUnixFileMode(directory, OwnerOnlyFolder);
        return new DirectoryInfo(directory);
    }

    public static void Prepare(string databaseFile)
    {
        var directory = Path.GetDirectoryName(databaseFile);
        if (OperatingSystem.IsWindows())
        {
            if (directory is { Length: > 0 })
            {
                Directory.CreateDirectory(directory);
            }

            return;
        }

        if (directory is { Length: > 0 })
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, OwnerOnlyFolder);
            }
            else if (Path.GetFileName(directory) == "App_Data")
            {
                // Our own folder from an older version; a folder an operator chose (/var/lib/...) is theirs to set.
                File.SetUnixFileMode(directory, OwnerOnlyFolder);
            }
        }

        if (!File.Exists(databaseFile))
        {
            // An empty file is a new database to SQLite; made here so it is never world-readable, not even briefly.
            using var created = new FileStream(databaseFile, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile,
            });
        }

        foreach (var file in new[] { databaseFile, databaseFile + "-wal", databaseFile + "-shm" })
        {
            if (File.Exists(file))
            {
                File.SetUnixFileMode(file, OwnerOnlyFile);
            }
        }
    }
}

/// <summary>Start-up on a disk the portal cannot write: one line saying so and exit code 74 (EX_IOERR), not a stack trace.</summary>
public static class StorageFailure
{
    public const int ExitCode = 74;

    public static string? Describe(Exception exception) => exception switch
    {
        SqliteException e when IsDiskError(e) =>
            $"The portal cannot write its database (check the disk is writable and not full; ConnectionStrings:Portal): {e.Message}",
        IOException or UnauthorizedAccessException =>
            $"The portal cannot write its data folder (check the disk is writable and not full; ConnectionStrings:Portal): {exception.Message}",
        _ => null,
    };

    /// <summary>
    /// SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL or SQLITE_CANTOPEN anywhere in the chain (EF Core
    /// wraps SaveChanges' errors in a DbUpdateException): the disk, not the request, is at fault.
    /// </summary>
    public static bool IsDiskError(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: 8 or 10 or 13 or 14 })
            {
                return true;
            }
        }

        return false;
    }

    public static int Exit(string message)
    {
        Console.Error.WriteLine(message);
        return ExitCode;
    }
}
