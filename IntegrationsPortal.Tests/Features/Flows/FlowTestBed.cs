using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>
/// The delivery harness (real SQLite, manual clock, loopback receivers) plus what flows need: a site
/// with a meter and a thermostat, an ingress integration the readings come from, and helpers that
/// build, deploy and feed flows through the real services.
/// </summary>
public sealed class FlowTestBed : IAsyncDisposable
{
    public const string Double = "function transform(message, context) { console.log('kwh', message.value); return { device: message.deviceName, wh: message.value * 1000, flow: context.flowName }; }";

    private FlowTestBed(DeliveryHarness harness) => Harness = harness;

    public DeliveryHarness Harness { get; }

    public IServiceProvider Services => Harness.Services;

    public Guid Site { get; private set; }

    public Guid Hall { get; private set; }

    public Guid Meter { get; private set; }

    public Guid Thermostat { get; private set; }

    public Guid Ingress { get; private set; }

    public static async Task<FlowTestBed> StartAsync()
    {
#pragma warning disable CA2000 // The bed owns the harness and disposes it with itself.
        var bed = new FlowTestBed(await DeliveryHarness.StartAsync());
#pragma warning restore CA2000
        await using var scope = bed.Services.AsAdmin(bed.Harness.Tenant);
        var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        bed.Site = await places.CreatePlaceAsync(new PlaceInput { Name = "Site" });
        bed.Hall = await places.CreatePlaceAsync(new PlaceInput { Name = "Hall", ParentId = bed.Site });
        bed.Meter = await devices.CreateDeviceAsync(new DeviceInput { Name = "Main meter", PlaceId = bed.Hall, DeviceType = "meter" });
        bed.Thermostat = await devices.CreateDeviceAsync(new DeviceInput { Name = "Hall thermostat", PlaceId = bed.Site, DeviceType = "thermostat" });
        bed.Ingress = await bed.Harness.CreateAsync("utility-data", new() { ["base_url"] = "https://utility.example.test", ["api_token"] = "t0ken-for-tests" }, "Meters");
        return bed;
    }

    public string MeterPath => ResourcePath.ForDevice(Hall, Meter);

    public string ThermostatPath => ResourcePath.ForDevice(Site, Thermostat);

    public NewReading Reading(double value, int minute = 0, string? path = null) =>
        new(path ?? MeterPath, "kwh", Harness.Clock.GetUtcNow().AddMinutes(minute - 60), value, "kWh");

    /// <summary>An active webhook to a loopback receiver (verified by the real verifier; its probe is forgotten).</summary>
    public async Task<Guid> ActiveWebhookAsync(LoopbackReceiver receiver, string name)
    {
        var id = await Harness.CreateAsync("webhook", new() { ["url"] = new Uri(receiver.Url, "in").ToString(), ["auth"] = "NONE" }, name);
        var verified = await Harness.VerifyAsync(id);
        Assert.Equal(IntegrationsPortal.Features.Integrations.IntegrationStatus.Active, verified.Status);
        receiver.Requests.Clear();
        return id;
    }

    /// <summary>source (the meter) -> function -> each destination.</summary>
    public static FlowGraph MeterThroughFunction(Guid meter, string code, params Guid[] destinations)
    {
        var graph = new FlowGraph
        {
            Nodes =
            [
                new FlowNode { Id = "source-1", Kind = FlowNodeKind.Source, Source = FlowSourceKind.Device, SourceRef = meter.ToString() },
                new FlowNode { Id = "function-1", Kind = FlowNodeKind.Function, Label = "To watt-hours", Code = code },
            ],
            Edges = [new FlowEdge("source-1", "function-1")],
        };
        for (var i = 0; i < destinations.Length; i++)
        {
            graph.Nodes.Add(new FlowNode { Id = $"destination-{i + 1}", Kind = FlowNodeKind.Destination, IntegrationId = destinations[i] });
            graph.Edges.Add(new FlowEdge("function-1", $"destination-{i + 1}"));
        }

        return graph;
    }

    /// <summary>The meter through the test bed's function to one destination naming <paramref name="capability"/>.</summary>
    public FlowGraph MeterToCapability(string capability)
    {
        var graph = MeterThroughFunction(Meter, Double);
        graph.Nodes.Add(new FlowNode { Id = "destination-1", Kind = FlowNodeKind.Destination, Capability = capability });
        graph.Edges.Add(new FlowEdge("function-1", "destination-1"));
        return graph;
    }

    /// <summary>A routing rule sending <paramref name="capability"/> to <paramref name="integration"/>, else its fallback.</summary>
    public Task<string> RuleAsync(string capability, Guid integration, Guid? fallback = null) =>
        Harness.AsAdminAsync(sp => sp.GetRequiredService<RoutingRuleService>().CreateAsync(new RoutingRuleInput
        {
            Capability = capability, IntegrationId = integration, FallbackIntegrationId = fallback, Priority = 10,
        }));

    public async Task<Guid> DeployAsync(FlowGraph graph, string name = "Meters out")
    {
        var flow = await FlowsAsync(f => f.CreateAsync(name));
        await FlowsAsync(f => f.SaveDraftAsync(flow, graph));
        await FlowsAsync(f => f.DeployAsync(flow));
        return flow;
    }

    public Task<T> FlowsAsync<T>(Func<FlowService, Task<T>> action) =>
        Harness.AsAdminAsync(sp => action(sp.GetRequiredService<FlowService>()));

    public Task FlowsAsync(Func<FlowService, Task> action) =>
        Harness.AsAdminAsync(async sp =>
        {
            await action(sp.GetRequiredService<FlowService>());
            return true;
        });

    /// <summary>What a pull does with a page: write the readings, then tell the observers (the flows).</summary>
    public async Task ArriveAsync(IReadOnlyList<NewReading> readings, IngestionKind kind = IngestionKind.Pull, CancellationToken ct = default)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(Harness.Tenant.OrganizationId);
        await scope.ServiceProvider.GetRequiredService<ReadingWriter>().WriteAsync(Ingress, readings, ct);
        foreach (var observer in scope.ServiceProvider.GetServices<IReadingsObserver>())
        {
            await observer.ReadingsWrittenAsync(new WrittenReadings(Ingress, kind, readings), ct);
        }
    }

    public async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(Harness.Tenant.OrganizationId);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Sequence).ToListAsync();
    }

    public Task<PagedResult<FlowRunRow>> HistoryAsync(Guid? flow = null, FlowRunStatus? status = null) =>
        FlowsAsync(f => f.HistoryAsync(new FlowHistoryQuery { FlowId = flow, Status = status }));

    public ValueTask DisposeAsync() => Harness.DisposeAsync();
}
