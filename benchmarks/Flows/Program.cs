// Flows throughput: readings through a deployed flow (device-type source -> JavaScript function ->
// webhook destination) into the outbox, every run, step and message persisted; beside the same
// readings put in the outbox directly, one message each, through the same enqueue call (the ceiling).
// Both paths first handle a warm-up set unmeasured. Readings are handed over a page at a time, as
// an ingestion run does after writing them (the writing itself is the Ingest benchmark's).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IntegrationsPortal;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
const int PageSize = 1_000;
const int Devices = 100;
const int WarmUp = 5_000;
// BENCH_FUNCTION=none sends the readings straight from the source to the destination: the flow's cost
// without the JavaScript sandbox, to tell the function's share from the recording's.
var withFunction = Environment.GetEnvironmentVariable("BENCH_FUNCTION") != "none";
var stepsPerRun = withFunction ? 2 : 1;

var directory = Directory.CreateTempSubdirectory("flows-bench-").FullName;
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory, EnvironmentName = "Benchmark", Args = [PortalExtensions.NoConfigReload] });
builder.Configuration["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(directory, "portal.db")}";
builder.Logging.ClearProviders();
builder.AddPortalServices();
await using var app = builder.Build();
await app.MigratePortalDatabaseAsync();

Guid organizationId, ingress, destination;
var paths = new List<string>();
await using (var scope = app.Services.CreateAsyncScope())
{
    var admin = await scope.ServiceProvider.GetRequiredService<SetupService>().CreateFirstAdministratorAsync(new FirstAdministratorInput
    {
        OrganizationName = "Bench", DisplayName = "Bench", Email = "bench@bench.test", Password = "bench-password-123", ConfirmPassword = "bench-password-123",
    });
    organizationId = admin.OrganizationId;
    scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
    var integrations = scope.ServiceProvider.GetRequiredService<IntegrationService>();
    ingress = await integrations.CreateAsync(new CreateIntegrationInput
    {
        TypeKey = "utility-data", Name = "Meters", Properties = new() { ["base_url"] = "https://utility.example.test", ["api_token"] = "bench-token" },
    });
    destination = await integrations.CreateAsync(new CreateIntegrationInput
    {
        TypeKey = "webhook", Name = "Bench receiver", Properties = new() { ["url"] = "https://receiver.example.test/in", ["auth"] = "NONE" },
    });
    await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
    {
        // Nothing is sent here, so the receiver is never verified: mark it active as verification would.
        await db.Set<Integration>().Where(i => i.Id == destination).ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, IntegrationStatus.Active));
    }

    var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
    var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
    var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Site" });
    for (var i = 0; i < Devices; i++)
    {
        var device = await devices.CreateDeviceAsync(new DeviceInput { Name = $"Meter {i}", PlaceId = site, DeviceType = "meter" });
        paths.Add(ResourcePath.ForDevice(site, device));
    }

    var flows = scope.ServiceProvider.GetRequiredService<FlowService>();
    var flow = await flows.CreateAsync("Meters to the receiver");
    var source = new FlowNode { Id = "source-1", Kind = FlowNodeKind.Source, Source = FlowSourceKind.DeviceType, SourceRef = "meter" };
    var function = new FlowNode
    {
        Id = "function-1", Kind = FlowNodeKind.Function,
        Code = "function transform(m, context) { return { device: m.deviceName, place: context.placePath, wh: Math.round(m.value * 1000), at: m.timestamp }; }",
    };
    var target = new FlowNode { Id = "destination-1", Kind = FlowNodeKind.Destination, IntegrationId = destination };
    await flows.SaveDraftAsync(flow, withFunction
        ? new FlowGraph { Nodes = [source, function, target], Edges = [new FlowEdge("source-1", "function-1"), new FlowEdge("function-1", "destination-1")] }
        : new FlowGraph { Nodes = [source, target], Edges = [new FlowEdge("source-1", "destination-1")] });
    await flows.DeployAsync(flow);
}

var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
List<NewReading> Readings(int from, int n) => Enumerable.Range(from, n)
    .Select(i => new NewReading(paths[i % Devices], "kwh", start.AddMinutes(15 * (i / Devices)), i * 0.25, "kWh"))
    .ToList();

// Warm both paths with readings of their own, then measure each on fresh ones.
await CeilingAsync(Readings(0, WarmUp));
await FlowAsync(Readings(WarmUp, WarmUp));
var ceilingSet = Readings(2 * WarmUp, count);
var flowSet = Readings(2 * WarmUp + count, count);

// Phases on stderr, so a profiler can be attached to one of them (benchmarks/README.md).
Console.Error.WriteLine("measuring the ceiling");
var ceilingCpu = Process.GetCurrentProcess().TotalProcessorTime;
var ceilingClock = Stopwatch.StartNew();
await CeilingAsync(ceilingSet);
ceilingClock.Stop();
ceilingCpu = Process.GetCurrentProcess().TotalProcessorTime - ceilingCpu;
Console.Error.WriteLine("measuring the flow");
var flowCpu = Process.GetCurrentProcess().TotalProcessorTime;
var flowClock = Stopwatch.StartNew();
await FlowAsync(flowSet);
flowClock.Stop();
flowCpu = Process.GetCurrentProcess().TotalProcessorTime - flowCpu;
Console.Error.WriteLine("measured");

int runs, steps, queued;
await using (var scope = app.Services.CreateAsyncScope())
{
    scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
    await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
    runs = await db.Set<FlowRun>().CountAsync(r => r.Status == FlowRunStatus.Completed) - WarmUp;
    steps = await db.Set<FlowRunStep>().CountAsync() - stepsPerRun * WarmUp;
    queued = await db.Set<OutboxMessage>().CountAsync() - 2 * WarmUp;
}

var ceilingRate = count / ceilingClock.Elapsed.TotalSeconds;
var flowRate = runs / flowClock.Elapsed.TotalSeconds;
Console.WriteLine($"Through the flow : {(withFunction ? "" : "(no function) ")}{runs:N0} readings ({steps:N0} steps persisted) in {flowClock.Elapsed.TotalSeconds:0.00} s = {flowRate:N0} readings/s");
Console.WriteLine($"Enqueued directly: {count:N0} readings in {ceilingClock.Elapsed.TotalSeconds:0.00} s = {ceilingRate:N0} readings/s");
// CPU time per reading (every thread of the process, the GC's too) moves less than the wall clock
// when something else shares the machine: the figure to compare two builds by.
Console.WriteLine($"CPU per reading  : {flowCpu.TotalMicroseconds / count:N0} µs through the flow, {ceilingCpu.TotalMicroseconds / count:N0} µs enqueued directly");
Console.WriteLine($"Ratio            : {flowRate / ceilingRate:P0} of the ceiling (target >= 50% and >= 5,000 readings/s); {queued:N0} messages in the outbox");

await app.DisposeAsync();
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(directory, recursive: true);
return runs == count && queued == 2 * count ? 0 : 1;

async Task FlowAsync(List<NewReading> readings)
{
    foreach (var page in readings.Chunk(PageSize))
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
        await scope.ServiceProvider.GetRequiredService<FlowRunner>().ReadingsWrittenAsync(new WrittenReadings(ingress, IngestionKind.Pull, page), CancellationToken.None);
    }
}

async Task CeilingAsync(List<NewReading> readings)
{
    foreach (var page in readings.Chunk(PageSize))
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
        var messages = page.Select(r => new KeyedMessage(destination, "meter.reading",
            JsonSerializer.Serialize(new { resourcePath = r.ResourcePath, metric = r.Metric, value = r.Value, unit = r.Unit, timestamp = r.Timestamp }),
            $"reading/{r.ResourcePath}/{r.Metric}/{r.Timestamp.UtcTicks}")).ToList();
        await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueueOnceAsync(messages);
    }
}
