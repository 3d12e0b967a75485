using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// Per-connection SQLite settings that the connection string cannot carry, applied once to each native
/// connection (the pool hands the same one out again): <c>mmap_size</c>, so reads map the database file
/// instead of copying pages with a system call each. Under WAL every write by another connection empties
/// a connection's page cache, so without it a busy portal re-read the same pages through <c>pread</c>
/// (9 % of the CPU in the delivery benchmark, 2026-12-03; docs/decisions/049).
/// </summary>
internal sealed class SqliteConnectionSettings(long memoryMapBytes) : DbConnectionInterceptor
{
    public const string MemoryMapSettingKey = "Portal:Database:SqliteMemoryMapMegabytes";

    /// <summary>Address space, not memory: the kernel's page cache backs it, as it backs reads anyway.</summary>
    public const int DefaultMemoryMapMegabytes = 1024;

    // Keyed by the native connection, which outlives the SqliteConnection objects the pool wraps around it.
    private readonly ConditionalWeakTable<object, object> _configured = new();

    public static SqliteConnectionSettings From(IConfiguration configuration)
    {
        var megabytes = configuration.GetValue(MemoryMapSettingKey, DefaultMemoryMapMegabytes);
        if (megabytes < 0)
        {
            throw new InvalidOperationException($"{MemoryMapSettingKey} is {megabytes}; use 0 (no memory map) or a size in megabytes.");
        }

        return new SqliteConnectionSettings(megabytes * 1024L * 1024L);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // Microsoft.Data.Sqlite's async calls run synchronously anyway.
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } sqlite || _configured.TryGetValue(handle, out _))
        {
            return;
        }

        using var command = sqlite.CreateCommand();
        command.CommandText = $"PRAGMA mmap_size={memoryMapBytes.ToString(CultureInfo.InvariantCulture)};";
        command.ExecuteNonQuery();
        _configured.AddOrUpdate(handle, handle);
    }
}
