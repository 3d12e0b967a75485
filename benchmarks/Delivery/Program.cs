// Delivery throughput: 20,000 webhook messages through the outbox, the dispatcher and the webhook
// sender to a receiver on loopback, every attempt persisted; then the same payloads posted with a
// plain HttpClient at the same concurrency, as the ceiling on this machine. Both paths first deliver
// 3,000 messages unmeasured, so the figures are for warm code.
using System.Diagnostics;
using System.Net;
using System.Text;
using IntegrationsPortal;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;

var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
const int Concurrency = 64;
var payloads = Enumerable.Range(0, count)
    .Select(i => $$$"""{"type":"meter.reading","placeId":"site-{{{i % 50}}}","deviceId":"meter-{{{i}}}","reading":{"kwh":{{{i * 0.5}}},"at":"2026-01-01T00:00:00Z"}}""")
    .ToList();

// The receiver: a minimal Kestrel app that reads the body and answers 200.
var receiverBuilder = WebApplication.CreateSlimBuilder();
receiverBuilder.Logging.ClearProviders();
receiverBuilder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
await using var receiver = receiverBuilder.Build();
receiver.Run(async context =>
{
    using var reader = new StreamReader(context.Request.Body);
    await reader.ReadToEndAsync();
    await context.Response.WriteAsync("{}");
});
await receiver.StartAsync();
var receiverUrl = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";

// The portal's services on a fresh SQLite file, or with BENCH_POSTGRES (a server's connection string
// whose role may create databases) on a fresh PostgreSQL database; BENCH_NODES=2 starts a second set of
// services on the same PostgreSQL database, as a second node would (in this process, on the same cores).
var postgresServer = Environment.GetEnvironmentVariable("BENCH_POSTGRES");
var nodeCount = int.Parse(Environment.GetEnvironmentVariable("BENCH_NODES") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
if (nodeCount > 1 && postgresServer is null)
{
    throw new InvalidOperationException("Several nodes need PostgreSQL: set BENCH_POSTGRES.");
}

var directory = Directory.CreateTempSubdirectory("delivery-bench-").FullName;
var postgresDatabase = postgresServer is null ? null : "delivery_bench_" + Guid.NewGuid().ToString("N");
if (postgresDatabase is not null)
{
    await using var server = new Npgsql.NpgsqlConnection(postgresServer);
    await server.OpenAsync();
    await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{postgresDatabase}\"", server);
    await create.ExecuteNonQueryAsync();
}

var nodes = new List<WebApplication>();
for (var node = 0; node < nodeCount; node++)
{
    nodes.Add(await StartNodeAsync(node));
}

var app = nodes[0];
Console.WriteLine($"Database: {(postgresDatabase is null ? "SQLite" : "PostgreSQL")}, nodes: {nodeCount}");

Guid integrationId, organizationId;
await using (var scope = app.Services.CreateAsyncScope())
{
    var admin = await scope.ServiceProvider.GetRequiredService<SetupService>().CreateFirstAdministratorAsync(new FirstAdministratorInput
    {
        OrganizationName = "Bench", DisplayName = "Bench", Email = "bench@bench.test", Password = "bench-password-123", ConfirmPassword = "bench-password-123",
    });
    organizationId = admin.OrganizationId;
    scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
    integrationId = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
    {
        TypeKey = "webhook", Name = "Bench receiver", Properties = new() { ["url"] = receiverUrl, ["auth"] = "NONE" },
    });
}

// Warm both paths first, through the same code, so JIT compilation and connection set-up do not
// count: a short run is otherwise mostly the JIT compiling EF Core's and the dispatcher's code.
var warmUp = payloads.Take(Math.Min(int.Parse(Environment.GetEnvironmentVariable("WARMUP") ?? "3000", System.Globalization.CultureInfo.InvariantCulture), count)).ToList();
await EnqueueAsync(warmUp);
await DispatchAllAsync();
using var plainHandler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency };
using var plain = new HttpClient(plainHandler);
await PostAllAsync(warmUp);

var enqueue = Stopwatch.StartNew();
await EnqueueAsync(payloads);
Console.WriteLine($"Enqueued {count:N0} messages in {enqueue.Elapsed.TotalSeconds:0.00} s (one transaction).");

var portalClock = Stopwatch.StartNew();
await DispatchAllAsync();
portalClock.Stop();
int delivered, attempts;
await using (var scope = app.Services.CreateAsyncScope())
{
    scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
    await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
    delivered = await db.Set<OutboxMessage>().IgnoreQueryFilters().CountAsync(m => m.Status == DeliveryStatus.Delivered) - warmUp.Count;
    attempts = await db.Set<DeliveryAttempt>().IgnoreQueryFilters().CountAsync() - warmUp.Count;
}

var portalRate = delivered / portalClock.Elapsed.TotalSeconds;

// The ceiling: the same payloads, plain HttpClient, same concurrency, nothing persisted.
var ceilingClock = Stopwatch.StartNew();
await PostAllAsync(payloads);
ceilingClock.Stop();
var ceilingRate = count / ceilingClock.Elapsed.TotalSeconds;

Console.WriteLine($"Portal delivery : {delivered:N0} delivered ({attempts:N0} attempts persisted) in {portalClock.Elapsed.TotalSeconds:0.00} s = {portalRate:N0} msg/s");
Console.WriteLine($"Plain HttpClient: {count:N0} posted in {ceilingClock.Elapsed.TotalSeconds:0.00} s = {ceilingRate:N0} msg/s");
Console.WriteLine($"Ratio           : {portalRate / ceilingRate:P0} of the ceiling (target >= 50% and >= 1,000 msg/s)");

foreach (var node in nodes)
{
    await node.DisposeAsync();
}

Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Npgsql.NpgsqlConnection.ClearAllPools();
if (postgresDatabase is not null)
{
    await using var server = new Npgsql.NpgsqlConnection(postgresServer);
    await server.OpenAsync();
    await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE \"{postgresDatabase}\" WITH (FORCE)", server);
    await drop.ExecuteNonQueryAsync();
}

Directory.Delete(directory, recursive: true);
return delivered == count ? 0 : 1;

async Task<WebApplication> StartNodeAsync(int node)
{
    var root = Directory.CreateDirectory(Path.Combine(directory, $"node-{node}")).FullName;
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root, EnvironmentName = "Benchmark", Args = [PortalExtensions.NoConfigReload] });
    if (postgresDatabase is null)
    {
        builder.Configuration["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(directory, "portal.db")}";
    }
    else
    {
        builder.Configuration["Portal:Database:Provider"] = "PostgreSQL";
        builder.Configuration["ConnectionStrings:Portal"] = new Npgsql.NpgsqlConnectionStringBuilder(postgresServer) { Database = postgresDatabase }.ToString();
    }

    // Every node opens the same credentials: one vault key directory.
    builder.Configuration["Portal:Vault:KeyDirectory"] = Path.Combine(directory, "vault");
    builder.Configuration["Portal:Delivery:AllowedNetworks:0"] = "127.0.0.0/8";
    builder.Configuration["Portal:Delivery:BatchSize"] = Environment.GetEnvironmentVariable("BENCH_BATCH") ?? "500";
    builder.Configuration["Portal:Delivery:Concurrency"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
    // One receiver here: it may use every slot, as the ceiling's client does (the per-integration limit is for sharing).
    builder.Configuration["Portal:Delivery:MaxInFlightPerIntegration"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
    builder.Logging.ClearProviders();
    builder.AddPortalServices();
    var started = builder.Build();
    await started.MigratePortalDatabaseAsync();
    return started;
}

async Task EnqueueAsync(List<string> batch)
{
    await using var scope = app.Services.CreateAsyncScope();
    scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
    await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueueAsync(integrationId, "meter.reading", batch);
}

// Every node's dispatcher runs until nothing is left; on several nodes they share the outbox.
Task DispatchAllAsync() => Task.WhenAll(nodes.Select(async node =>
{
    var dispatcher = node.Services.GetRequiredService<DeliveryDispatcher>();
    while (await dispatcher.RunDueAsync(CancellationToken.None, TimeSpan.FromMinutes(10)) > 0)
    {
    }
}));

Task PostAllAsync(List<string> batch) =>
    Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (payload, ct) =>
    {
        using var content = new StringContent(payload, Encoding.UTF8, "application/json");
        using var response = await plain.PostAsync(receiverUrl, content, ct);
        await response.Content.ReadAsStringAsync(ct);
    });
