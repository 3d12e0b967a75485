using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

/// <summary>
/// A disk that fills up while the portal runs: SQLite's own error (SQLITE_FULL, code 13) on every
/// write, raised at the database command so the whole pipeline (EF Core, endpoint, middleware) sees
/// what a full disk produces. Reads keep working, as they do on a real full disk.
/// </summary>
public sealed class DiskFullPortalFactory : PortalAppFactory
{
    public DiskFullInterceptor Disk { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.ConfigureDbContext<PortalDbContext>(options => options.AddInterceptors(Disk)));
    }
}

public sealed class DiskFullInterceptor : DbCommandInterceptor
{
    public bool Full { get; set; }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        RefuseWrites(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(RefuseWrites(command, result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        RefuseWrites(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(RefuseWrites(command, result));

    private T RefuseWrites<T>(DbCommand command, T result)
    {
        var text = command.CommandText.TrimStart();
        if (Full && (text.Contains("INSERT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)))
        {
            throw new SqliteException("SQLite Error 13: 'database or disk is full'.", 13);
        }

        return result;
    }
}

public sealed class StorageFullApiTests : IAsyncLifetime
{
    private readonly DiskFullPortalFactory _app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task DiskFullWhileRunning_ApiWriteIs503ProblemJson_WithRetryAfter_AndWorksAgainOnceThereIsRoom()
    {
        var tenant = await _app.Services.SetUpFirstOrganizationAsync();
        using var admin = await _app.SignedInClientAsync(tenant.AdminEmail);
        var body = new
        {
            typeKey = "webhook",
            name = "Hook on a full disk",
            properties = new Dictionary<string, string> { ["url"] = "http://127.0.0.1:1/hook", ["auth"] = "NONE" },
        };

        _app.Disk.Full = true;
        var refused = await admin.PostAsJsonAsync("/api/integrations", body, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("disk is full", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/integrations", Ct)).StatusCode);

        _app.Disk.Full = false;
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/integrations", body, Ct)).StatusCode);
    }
}
