using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using IntegrationsPortal;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Uplinks;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// Uplinks per second through the real push endpoint (token, parse, group-committed write of the uplink
/// and its readings, 202), from 64 concurrent senders over loopback HTTP/1.1 with keep-alive, beside the
/// same server's ceiling endpoint that reads the body and answers 202 without persisting, in the same run.
/// </summary>
internal static class UplinksBenchmark
{
    private const int Senders = 64;
    private const int Devices = 100;

    public static async Task<int> Main(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var directory = Directory.CreateTempSubdirectory("portal-uplinks-").FullName;
        try
        {
            await using var app = await StartPortalAsync(directory);
            // Stopped, not only disposed: disposing a host does not stop its hosted services, and Quartz's misfire
            // handler runs on a foreground thread that only its scheduler's shutdown ends (the process stayed alive).
            try
            {
                var (integrationId, token) = await SetUpAsync(app.Services);
                var root = new Uri(app.Urls.First());
                using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Senders, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
                using var client = new HttpClient(handler) { BaseAddress = root };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var endpoint = UplinksExtensions.EndpointPath(integrationId);
                var ceilingPath = $"/ceiling/{integrationId}";

                // Warm-up: JIT, connection pool, SQLite pages.
                await RunAsync(client, ceilingPath, 2_000, offset: 0);
                await RunAsync(client, endpoint, 2_000, offset: 0);
                // Phases on stderr, so a profiler can be attached to the measured part alone.
                Console.Error.WriteLine("measuring the ceiling");
                var ceiling = await RunAsync(client, ceilingPath, count, offset: 10_000_000);
                Console.Error.WriteLine("measuring the endpoint");
                var portal = await RunAsync(client, endpoint, count, offset: 10_000_000);
                Console.Error.WriteLine("measured");
                var stored = await StoredAsync(app.Services, integrationId);

                Console.WriteLine($"Uplinks:                          {count:N0} per run, {Senders} concurrent senders, keep-alive, loopback");
                Console.WriteLine($"Endpoint (accepted and persisted): {count / portal.TotalSeconds,10:N0} uplinks/s  ({portal.TotalSeconds:0.00} s)");
                Console.WriteLine($"Same server, 202 only (ceiling):   {count / ceiling.TotalSeconds,10:N0} uplinks/s  ({ceiling.TotalSeconds:0.00} s)");
                Console.WriteLine($"Ratio:                             {ceiling.TotalSeconds / portal.TotalSeconds,10:P0} of the ceiling (target: 50 % and 2,000 uplinks/s)");
                Console.WriteLine($"Rows in Uplinks:                   {stored:N0} (warm-up included)");
                // The writer never checkpoints (docs/decisions/028); this shows how far the side connection's checkpoints kept up.
                var wal = new FileInfo(Path.Combine(directory, "portal.db-wal"));
                Console.WriteLine($"WAL at the end:                    {(wal.Exists ? wal.Length / 1024 / 1024 : 0):N0} MB");
                return stored == count + 2_000 ? 0 : 1;
            }
            finally
            {
                await app.StopAsync();
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<WebApplication> StartPortalAsync(string directory)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory, EnvironmentName = "Production", Args = [PortalExtensions.NoConfigReload] });
        builder.Configuration["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(directory, "portal.db")}";
        // The limiter still runs on every request, with a limit the benchmark does not reach.
        builder.Configuration[$"{UplinkOptions.Section}:{nameof(UplinkOptions.PermitsPerSecond)}"] = "1000000";
        builder.Configuration[$"{UplinkOptions.Section}:{nameof(UplinkOptions.Burst)}"] = "1000000";
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddPortalServices();
        var app = builder.Build();
        await app.MigratePortalDatabaseAsync();
        app.UseRateLimiter();
        app.MapUplinkEndpoint();
        app.MapPost("/ceiling/{integrationId:guid}", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            return Results.Accepted();
        }).RequireRateLimiting(UplinksExtensions.RateLimitPolicy);
        await app.StartAsync();
        return app;
    }

    /// <summary>An active HTTP uplinks integration with its devices mapped, so every uplink writes readings too.</summary>
    private static async Task<(Guid, string)> SetUpAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(Guid.CreateVersion7());
        var integration = new Integration { TypeKey = "http-uplinks", Name = "Benchmark", Status = IntegrationStatus.Active, VerifiedAt = DateTimeOffset.UtcNow };
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.Add(integration);
            await db.SaveChangesAsync();
        }

        var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        var mappings = scope.ServiceProvider.GetRequiredService<ResourceMappingService>();
        var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Site" });
        for (var i = 0; i < Devices; i++)
        {
            var device = await devices.CreateDeviceAsync(new DeviceInput { Name = $"Sensor {i}", PlaceId = site, DeviceType = "sensor" });
            await mappings.CreateAsync(integration.Id, new MappingInput { ExternalId = $"sensor-{i}", ResourcePath = ResourcePath.ForDevice(site, device) });
        }

        var token = await scope.ServiceProvider.GetRequiredService<UplinkTokens>().IssueAsync(integration.Id);
        return (integration.Id, token.Token);
    }

    private static async Task<TimeSpan> RunAsync(HttpClient client, string path, int count, int offset)
    {
        var next = -1;
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                // A distinct time per uplink, so none is a duplicate of another.
                var time = start.AddSeconds(offset + i).ToString("O", CultureInfo.InvariantCulture);
                var temperature = (20 + (i % 50) * 0.1).ToString("0.0", CultureInfo.InvariantCulture);
                var body = "{\"device\":\"sensor-" + (i % Devices).ToString(CultureInfo.InvariantCulture) + "\",\"time\":\"" + time
                    + "\",\"metrics\":{\"temperature\":" + temperature + ",\"battery\":{\"voltage\":3.6}}}";
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(path, content);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
        return watch.Elapsed;
    }

    private static async Task<int> StoredAsync(IServiceProvider services, Guid integrationId)
    {
        await using var scope = services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<Uplink>().IgnoreQueryFilters().CountAsync(u => u.IntegrationId == integrationId);
    }
}
