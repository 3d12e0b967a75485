using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Operations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Operations;

/// <summary>
/// The portal stopped in the middle of an operation (decision 034): the sweep finds it still queued and
/// moves it on. The dispatcher here runs only when the test says, so "the observer never heard of it" is
/// made exactly, not raced.
/// </summary>
public class OperationSweepTests : IAsyncLifetime
{
    private DeliveryHarness _harness = default!;

    public async ValueTask InitializeAsync() => _harness = await DeliveryHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task HopSavedButItsMessageNeverQueued_IsQueuedBySweep_AndTheOperationSucceeds()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var hook = await _harness.CreateAsync("webhook", new() { ["url"] = new Uri(receiver.Url, "in").ToString() }, "Hook");
        await _harness.VerifyAsync(hook);
        var marker = Guid.NewGuid().ToString("N");
        // As a stop right after RouteAsync saved hop 1 leaves it: routed, saved, nothing in the outbox.
        var operation = await SaveQueuedOperationAsync("notify", $$"""{"text":"Disk full","marker":"{{marker}}"}""", hook);

        Assert.Equal(0, await _harness.DispatchAsync());
        var swept = await SweepAsync();
        await _harness.DispatchAsync();

        Assert.Equal(1, swept);
        var done = await GetAsync(operation);
        Assert.Equal((OperationStatus.Succeeded, 1, hook), (done.Status, done.Attempts, done.IntegrationId));
        Assert.Contains(receiver.Requests, r => r.Method == "POST" && r.Body.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MessageThatEndedWhileNobodyHeard_IsRecordedBySweep_WithTheProvidersReference()
    {
        await using var stripe = await FakeProviders.StartAsync();
        var integration = await _harness.CreateAsync("stripe", IntegrationSeeds.Stripe(stripe.BaseUri.ToString()).Properties, "Stripe");
        await _harness.VerifyAsync(integration);
        var id = Ulid.NewUlid().ToString();
        // The message is delivered while its operation is not yet saved, so the dispatcher's observer finds
        // nothing to move on, as when the process stops between writing a result and telling the operation.
        await _harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().EnqueueOnceAsync(
            [new KeyedMessage(integration, "initiate_payment", """{"amount":2000,"currency":"usd"}""", Operation.MessageKey(id, 1))], CancellationToken.None));
        Assert.Equal(1, await _harness.DispatchAsync());
        await SaveQueuedOperationAsync("initiate_payment", """{"amount":2000,"currency":"usd"}""", integration, id);
        Assert.Equal(OperationStatus.Queued, (await GetAsync(id)).Status);

        await SweepAsync();

        var done = await GetAsync(id);
        Assert.Equal((OperationStatus.Succeeded, 1), (done.Status, done.Attempts));
        Assert.StartsWith("pi_", done.Reference, StringComparison.Ordinal);
        Assert.Single(stripe.PaymentIntents);
    }

    [Fact]
    public async Task OperationWhoseMessageStillWaitsForARetry_IsLeftAlone()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Method == "POST" ? 503 : 200;
            return Task.CompletedTask;
        };
        var hook = await _harness.CreateAsync("webhook", new() { ["url"] = new Uri(receiver.Url, "in").ToString() }, "Hook");
        await _harness.VerifyAsync(hook);
        var id = await SaveQueuedOperationAsync("notify", """{"text":"x"}""", hook);
        await SweepAsync();
        await _harness.DispatchAsync();
        var posts = receiver.Requests.Count(r => r.Method == "POST");

        await SweepAsync();

        Assert.Equal(1, posts);
        Assert.Equal((OperationStatus.Queued, hook), ((await GetAsync(id)).Status, (await GetAsync(id)).IntegrationId));
        Assert.Equal(1, receiver.Requests.Count(r => r.Method == "POST"));
    }

    /// <summary>An operation at hop 1 on <paramref name="integration"/>, last touched 5 minutes ago (past the sweep's quiet time).</summary>
    private Task<string> SaveQueuedOperationAsync(string capability, string payload, Guid integration, string? id = null) => _harness.AsAdminAsync(async sp =>
    {
        await using var db = await sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var at = _harness.Clock.GetUtcNow() - TimeSpan.FromMinutes(5);
        var operation = new Operation
        {
            Id = id ?? Ulid.NewUlid().ToString(), OrganizationId = _harness.Tenant.OrganizationId, Capability = capability, Payload = payload,
            Status = OperationStatus.Queued, IntegrationId = integration, Hop = 1, CreatedAt = at, UpdatedAt = at,
        };
        db.Add(operation);
        await db.SaveChangesAsync();
        return operation.Id;
    });

    private Task<int> SweepAsync() => ActivatorUtilities.CreateInstance<OperationSweepJob>(_harness.Services).SweepAsync(CancellationToken.None);

    private Task<Operation> GetAsync(string id) => _harness.AsAdminAsync(async sp =>
    {
        await using var db = await sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<Operation>().AsNoTracking().SingleAsync(o => o.Id == id);
    });
}

[OnPostgreSQL]
public sealed class OperationSweepOnPostgreSQLTests : OperationSweepTests;
