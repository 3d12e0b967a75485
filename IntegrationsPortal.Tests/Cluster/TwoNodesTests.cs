using System.Collections.Concurrent;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Cluster;

/// <summary>
/// Several portal nodes, each a process of its own as an operator runs them, on one PostgreSQL database
/// with Quartz's clustered store (issue 16): they share the work, and when one dies (<c>kill -9</c>) the
/// other finishes it. The data is made beforehand through the portal's own services on the same database;
/// those services never dispatch (their scheduler stays in standby), they only read the outcome.
/// </summary>
[OnPostgreSQL]
public sealed class TwoNodesTests : IAsyncLifetime
{
    private const int Messages = 5_000;

    private PortalCluster _cluster = default!;

    private IServiceProvider Seeder => _cluster.Seeder;

    public async ValueTask InitializeAsync() => _cluster = await PortalCluster.StartAsync();

    [Fact]
    public async Task KilledNode_ItsShareIsDeliveredByTheOther_NoMessageLost_DuplicatesOnlyWhatWasInFlight()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        // A receiver that takes a moment per request, so the work outlasts a node's start and is cut in the middle.
        receiver.Respond = async (context, _) =>
        {
            await Task.Delay(40, CancellationToken.None);
            await context.Response.WriteAsync("{}", CancellationToken.None);
        };
        var tenant = await Seeder.SetUpFirstOrganizationAsync();
        var integrationId = await Seeder.CreateIntegrationAsync(tenant, IntegrationSeeds.Webhook("Cluster receiver", new Uri(receiver.Url, "hooks").ToString()));
        // Both nodes up first (a node's start can take longer than the whole delivery), then the work arrives.
        var starting = new[] { StartNodeAsync("A"), StartNodeAsync("B") };
        var nodeA = (await Task.WhenAll(starting))[0];
        var ids = await EnqueueAsync(tenant, integrationId);
        await Eventually.TrueAsync(() => Received(receiver, ids).Count >= Messages / 3, "a third of the messages to arrive", TimeSpan.FromSeconds(120));
        Assert.True(Received(receiver, ids).Count < Messages, "Everything was delivered before a node could be killed; the test cannot show recovery.");

        await nodeA.KillAsync();
        // A request node A wrote just before it died can still reach the receiver's list after the kill: the
        // likely reading of a CI run that saw one message twice after it. Well inside the lease, so B cannot
        // yet send any of A's messages meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        var atKill = receiver.Requests.Count;

        await Eventually.TrueAsync(async () => await DeliveredCountAsync() == Messages,
            "node B to deliver every message", TimeSpan.FromSeconds(180));
        var received = Received(receiver, ids);
        Assert.Equal(Messages, received.Count);
        Assert.True(receiver.Requests.Count > atKill, "Node B sent nothing after node A died.");
        // A message goes twice only when node A had sent it and not yet recorded the result: its sends in
        // flight and the results waiting to be written, which the dispatcher keeps under a batch. Never while both ran.
        var duplicates = received.Values.Count(times => times > 1);
        var twiceBeforeTheKill = Received(receiver.Requests.Take(atKill), ids).Where(r => r.Value > 1).Select(r => r.Key).ToList();
        Assert.True(twiceBeforeTheKill.Count == 0, await TwiceAsync(twiceBeforeTheKill, "while both nodes ran"));
        var twiceAfterTheKill = Received(receiver.Requests.Skip(atKill), ids).Where(r => r.Value > 1).Select(r => r.Key).ToList();
        Assert.True(twiceAfterTheKill.Count == 0, await TwiceAsync(twiceAfterTheKill, "from node B alone"));
        Assert.True(duplicates <= BatchSize + MaxInFlight,
            $"{duplicates} messages arrived more than once; node A could have had at most {BatchSize + MaxInFlight} sent and unrecorded.");
        TestContext.Current.SendDiagnosticMessage($"{duplicates} messages arrived twice (in flight on the killed node).");
    }

    [Fact]
    public async Task KilledNode_ItsBackfillIsResumedByTheOther_FromItsLastSavedWindow_EveryReadingStoredOnce()
    {
        const int Days = 40;
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await FakeIngressProviders.StartAsync();
        // Slow enough that the backfill outlasts the second node's start: a day's four pages take a second or more.
        provider.Latency = TimeSpan.FromMilliseconds(250);
        var tenant = await Seeder.SetUpFirstOrganizationAsync();
        var start = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        Guid integrationId, run;
        await using (var scope = Seeder.AsAdmin(tenant))
        {
            var services = scope.ServiceProvider;
            integrationId = await services.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "utility-data",
                Name = "Meters",
                Properties = new() { ["base_url"] = provider.BaseUri.ToString(), ["api_token"] = FakeIngressProviders.Token },
            }, ct);
            var site = await services.GetRequiredService<PlaceService>().CreatePlaceAsync(new PlaceInput { Name = "Site" }, ct);
            var mappings = services.GetRequiredService<ResourceMappingService>();
            foreach (var meter in new[] { "M-1", "M-22" })
            {
                var device = await services.GetRequiredService<DeviceService>().CreateDeviceAsync(new DeviceInput { Name = meter, PlaceId = site, DeviceType = "meter" }, ct);
                await mappings.CreateAsync(integrationId, new MappingInput { ExternalId = meter, ResourcePath = ResourcePath.ForDevice(site, device) }, ct);
            }

            await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
            await db.Set<Integration>().Where(i => i.Id == integrationId)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.Status, IntegrationStatus.Active), ct);
            run = await services.GetRequiredService<IngestionService>().StartBackfillAsync(integrationId, new BackfillInput(start, start.AddDays(Days)), ct);
        }

        // Node A alone takes the backfill's job; node B starts while it runs.
        var nodeA = await StartNodeAsync("A");
        await Eventually.TrueAsync(async () => (await RunAsync(tenant, integrationId, run)).WindowsDone >= 1, "node A to save a window", TimeSpan.FromSeconds(60));
        await StartNodeAsync("B");
        var beforeKill = await RunAsync(tenant, integrationId, run);
        Assert.True(beforeKill.WindowsDone < Days - 5, $"Node A backfilled {beforeKill.WindowsDone} of {Days} days before node B was up; the test cannot show the resume.");

        await nodeA.KillAsync();
        var savedAtKill = (await RunAsync(tenant, integrationId, run)).WindowsDone;
        var pagesAtKill = provider.IntervalPagesAsked.Count;

        var done = await Eventually.ReadAsync(() => RunAsync(tenant, integrationId, run), r => r.Status == IngestionRunStatus.Completed,
            "node B to recover and finish the backfill", TimeSpan.FromSeconds(180));
        Assert.Equal(Days, done.WindowsDone);
        Assert.Equal(Days * 2 * 96, await ReadingCountAsync(start, start.AddDays(Days)));
        // Node B went on from the last saved window: it asked again at most for the window node A was in when it died.
        var resumedFrom = provider.IntervalPagesAsked.Skip(pagesAtKill).Where(w => w >= start && w < start.AddDays(Days)).Min();
        Assert.True(resumedFrom >= start.AddDays(savedAtKill), $"Node B started again at {resumedFrom:u}; node A had saved {savedAtKill} days.");
        var backfillPages = provider.IntervalPagesAsked.Count(w => w >= start && w < start.AddDays(Days));
        Assert.True(backfillPages <= Days * 4 + 4, $"{backfillPages} pages fetched for {Days * 4} pages of data: more than one window was fetched again.");
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    private const int MaxInFlight = 16;
    private const int BatchSize = 100;

    private Task<PortalNode> StartNodeAsync(string name) => _cluster.StartNodeAsync(name, new Dictionary<string, string>
    {
        ["Portal:Delivery:MaxInFlightPerIntegration"] = MaxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Portal:Delivery:BatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Portal:Delivery:PollInterval"] = "00:00:01",
        // A dead node's claims lapse after this; the default (minutes) would outlast the test's patience.
        ["Portal:Delivery:ClaimLease"] = "00:00:10",
    });

    private async Task<HashSet<Guid>> EnqueueAsync(Tenant tenant, Guid integrationId)
    {
        await using var scope = Seeder.AsAdmin(tenant);
        var payloads = Enumerable.Range(0, Messages).Select(i => $$"""{"reading":{{i}}}""").ToList();
        return [.. await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueueAsync(integrationId, "meter.reading", payloads)];
    }

    /// <summary>How often each of the enqueued messages reached the receiver (the verification's own request aside).</summary>
    private static Dictionary<Guid, int> Received(LoopbackReceiver receiver, HashSet<Guid> ids) => Received(receiver.Requests, ids);

    private static Dictionary<Guid, int> Received(IEnumerable<ReceivedRequest> requests, HashSet<Guid> ids) =>
        requests
            .Select(r => r.Headers.TryGetValue("webhook-id", out var id) && Guid.TryParse(id, out var messageId) ? messageId : Guid.Empty)
            .Where(ids.Contains)
            .GroupBy(id => id)
            .ToDictionary(g => g.Key, g => g.Count());

    private async Task<IngestionRunView> RunAsync(Tenant tenant, Guid integrationId, Guid run)
    {
        await using var scope = Seeder.AsAdmin(tenant);
        return (await scope.ServiceProvider.GetRequiredService<IngestionService>().ListRunsAsync(integrationId)).Single(r => r.Id == run);
    }

    private async Task<int> ReadingCountAsync(DateTimeOffset from, DateTimeOffset to)
    {
        await using var scope = Seeder.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await db.Set<Reading>().IgnoreQueryFilters()
            .CountAsync(r => r.TimestampTicks >= from.UtcTicks && r.TimestampTicks < to.UtcTicks, TestContext.Current.CancellationToken);
    }

    /// <summary>A failure message: how many arrived twice, the first one's attempts, and the nodes' last output.</summary>
    private async Task<string> TwiceAsync(List<Guid> twice, string when) =>
        $"{twice.Count} messages arrived twice {when}. The first one's attempts:{Environment.NewLine}"
        + await AttemptsAsync(twice.FirstOrDefault()) + Environment.NewLine + _cluster.RecentOutput;

    /// <summary>A message's attempts as recorded, one line each, for a failure message.</summary>
    private async Task<string> AttemptsAsync(Guid messageId)
    {
        await using var scope = Seeder.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        var attempts = await db.Set<DeliveryAttempt>().IgnoreQueryFilters().Where(a => a.MessageId == messageId).OrderBy(a => a.At)
            .Select(a => $"#{a.AttemptNumber} at {a.At:HH:mm:ss.fff} {(a.Succeeded ? "ok" : "failed")} {a.DurationMs} ms {a.ErrorClass} {a.ErrorMessage}")
            .ToListAsync(TestContext.Current.CancellationToken);
        return string.Join(Environment.NewLine, attempts);
    }

    private async Task<int> DeliveredCountAsync()
    {
        await using var scope = Seeder.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await db.Set<OutboxMessage>().IgnoreQueryFilters().CountAsync(m => m.Status == DeliveryStatus.Delivered, TestContext.Current.CancellationToken);
    }
}
