using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>The SQLite settings every portal connection gets (<see cref="SqliteConnectionSettings"/>), and a bad one refused at start.</summary>
public sealed class SqliteConnectionSettingsTests
{
    [Theory]
    [InlineData(null, 1024L * 1024 * 1024)]
    [InlineData("0", 0L)]
    [InlineData("64", 64L * 1024 * 1024)]
    public async Task EveryConnection_MapsTheDatabaseFile_AsConfigured(string? megabytes, long expectedBytes)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var portal = await PortalServices.StartAsync(new Dictionary<string, string?> { [SqliteConnectionSettings.MemoryMapSettingKey] = megabytes });

        // Several contexts at once, so the pool opens more than one native connection.
        var factory = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var contexts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => factory.CreateDbContextAsync(ct)));
        try
        {
            foreach (var context in contexts)
            {
                await context.Database.OpenConnectionAsync(ct);
            }

            foreach (var context in contexts)
            {
                Assert.Equal(expectedBytes, Assert.Single(await context.Database.SqlQueryRaw<long>("PRAGMA mmap_size").ToListAsync(ct)));
            }
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ANegativeMemoryMap_StopsTheStart_NamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PortalServices.StartAsync(new Dictionary<string, string?> { [SqliteConnectionSettings.MemoryMapSettingKey] = "-1" }));
        Assert.Contains(SqliteConnectionSettings.MemoryMapSettingKey, error.Message, StringComparison.Ordinal);
    }
}
