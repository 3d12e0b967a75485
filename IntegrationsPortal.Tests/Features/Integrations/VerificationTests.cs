using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace IntegrationsPortal.Tests.Features.Integrations;

/// <summary>
/// Verification as it really runs: the service queues a Quartz job in the persistent store, the
/// running scheduler fires it, and the verifier calls a fake provider on loopback.
/// </summary>
public class VerificationTests : PortalServicesTest
{
    private FakeProviders _providers = default!;

    public override async ValueTask InitializeAsync()
    {
        _providers = await FakeProviders.StartAsync();
        await base.InitializeAsync();
        await Portal.StartSchedulerAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _providers.DisposeAsync();
    }

    [Fact]
    public async Task Twilio_WithGoodCredentials_BecomesActive_NamingTheAccount()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio(_providers.BaseUri.ToString()));

        var detail = await WaitUntilAsync(id, d => d.Status != IntegrationStatus.PendingVerify);

        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.NotNull(detail.VerifiedAt);
        Assert.Null(detail.LastError);
        Assert.Equal("Acme", detail.Metadata["verified_account"]);
        Assert.Contains($"GET /2010-04-01/Accounts/{IntegrationSeeds.TwilioSid}.json Basic", _providers.Requests);
    }

    [Fact]
    public async Task Twilio_WithABadToken_IsInError_SayingTwilioRefused_WithoutTheToken()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio(_providers.BaseUri.ToString(), token: "wrong-token-5555"));

        var detail = await WaitUntilAsync(id, d => d.Status != IntegrationStatus.PendingVerify);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal("Twilio refused the credentials (401): Authenticate", detail.LastError);
        Assert.Null(detail.VerifiedAt);
        Assert.False(detail.Metadata.ContainsKey("verified_account"));
    }

    [Fact]
    public async Task Stripe_WithGoodKeys_BecomesActive_NamingTheBusiness()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Stripe(_providers.BaseUri.ToString()));

        var detail = await WaitUntilAsync(id, d => d.Status != IntegrationStatus.PendingVerify);

        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.Equal("Acme", detail.Metadata["verified_account"]);
        Assert.Contains("GET /v1/account Bearer", _providers.Requests);
    }

    [Fact]
    public async Task Stripe_WithARevokedKey_IsInError_AndTheMessageHoldsNoKey()
    {
        const string revoked = "sk_test_51RevokedKEYvalue0wxyz";
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Stripe(_providers.BaseUri.ToString(), secretKey: revoked));

        var detail = await WaitUntilAsync(id, d => d.Status != IntegrationStatus.PendingVerify);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal("Stripe refused the credentials (401): Invalid API Key provided: sk_test_****wxyz", detail.LastError);
        Assert.DoesNotContain(revoked, detail.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stripe_WithALivePublishableKeyAndATestSecretKey_IsInError()
    {
        var input = IntegrationSeeds.Stripe(_providers.BaseUri.ToString());
        input.Properties["publishable_key"] = "pk_live_51Hq9zPUBLISHABLE";
        var id = await Portal.Services.CreateIntegrationAsync(Acme, input);

        var detail = await WaitUntilAsync(id, d => d.Status != IntegrationStatus.PendingVerify);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal("The publishable key and the secret key are from different modes (one test, one live).", detail.LastError);
    }

    [Fact]
    public async Task Telematics_WithAGoodToken_BecomesActive_NamingTheFleet()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Telematics(_providers.BaseUri.ToString(), FakeProviders.TelematicsToken));

        var detail = await WaitUntilAsync(id, d => d.Status != IntegrationStatus.PendingVerify);

        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.Equal("Acme Fleet", detail.Metadata["verified_account"]);
    }

    [Fact]
    public async Task Webhook_ThatAnswers405ToHead_IsActive_AndOneThatIs404_IsInError()
    {
        var ok = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook("Good", new Uri(_providers.BaseUri, "hooks/ok").ToString()));
        var missing = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook("Missing", new Uri(_providers.BaseUri, "hooks/gone").ToString()));

        var good = await WaitUntilAsync(ok, d => d.Status != IntegrationStatus.PendingVerify);
        var bad = await WaitUntilAsync(missing, d => d.Status != IntegrationStatus.PendingVerify);

        Assert.Equal(IntegrationStatus.Active, good.Status);
        Assert.Equal(IntegrationStatus.Error, bad.Status);
        Assert.Equal("The endpoint answered 404: check the URL.", bad.LastError);
    }

    [Fact]
    public async Task Webhook_ThatAnswers501ToHead_IsActive()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook("No HEAD", new Uri(_providers.BaseUri, "hooks/no-head").ToString()));

        var detail = await WaitUntilAsync(id, d => d.Status != IntegrationStatus.PendingVerify);

        Assert.Equal(IntegrationStatus.Active, detail.Status);
    }

    [Fact]
    public async Task ProviderAnswering503_StaysPendingVerify_AndIsRetriedInTenSeconds()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Telematics(_providers.Down.ToString(), FakeProviders.TelematicsToken));

        var detail = await WaitUntilAsync(id, d => d.LastError is not null);
        // The job records the failure, then queues attempt 2: wait for the second step too.
        var next = await Eventually.ReadAsync(() => QueuedVerification.NextRunAsync(Portal.Services, id, TestContext.Current.CancellationToken),
            at => at > DateTimeOffset.UtcNow.AddSeconds(1), "the retry to be queued");

        Assert.Equal(IntegrationStatus.PendingVerify, detail.Status);
        Assert.Equal("Attempt 1 failed (The telematics API is not answering properly (503): Service Unavailable); trying again in 10 s.", detail.LastError);
        Assert.InRange(next!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10.5));
        Assert.Contains("GET /down/me Bearer", _providers.Requests);
    }

    [Fact]
    public async Task DeletingAnIntegrationWaitingForARetry_CancelsTheRetry()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Telematics(_providers.Down.ToString(), FakeProviders.TelematicsToken));
        await Eventually.ReadAsync(() => QueuedVerification.NextRunAsync(Portal.Services, id, TestContext.Current.CancellationToken),
            at => at > DateTimeOffset.UtcNow.AddSeconds(1), "the retry to be queued");

        await using (var scope = Portal.Services.AsOperator(Acme))
        {
            await scope.ServiceProvider.GetRequiredService<IntegrationService>().DeleteAsync(id, TestContext.Current.CancellationToken);
        }

        Assert.Null(await QueuedVerification.NextRunAsync(Portal.Services, id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task QueuingACheckAgain_ReplacesTheWaitingOne_InsteadOfAddingASecond()
    {
        // Each queueing used to add a trigger of its own to the job: a check queued twice (the sweep as the
        // integration was created, say) ran twice, and a retry queued meanwhile ran at once, not 10 s later
        // ("Attempt 2 failed" a second after the start, seen in CI).
        var ct = TestContext.Current.CancellationToken;
        var verification = Portal.Services.GetRequiredService<VerificationScheduler>();
        var integrationId = Guid.CreateVersion7();
        await verification.EnqueueAsync(Acme.OrganizationId, integrationId, generation: 1, ct, attempt: 1, delay: TimeSpan.FromHours(1));
        await verification.EnqueueAsync(Acme.OrganizationId, integrationId, generation: 1, ct, attempt: 2, delay: TimeSpan.FromHours(2));

        var scheduler = await Portal.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(ct);
        var trigger = Assert.Single(await scheduler.GetTriggersOfJob(VerificationScheduler.JobKeyFor(integrationId), ct));
        Assert.InRange(trigger.NextFireTimeUtc!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(119), TimeSpan.FromHours(2));
        Assert.Equal("2", (await scheduler.GetJobDetail(VerificationScheduler.JobKeyFor(integrationId), ct))!.JobDataMap.GetString(VerifyIntegrationJob.AttemptKey));
    }

    [Fact]
    public async Task ProviderNotListening_StaysPendingVerify_SayingTheConnectionWasRefused()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio("http://127.0.0.1:1/"));

        var detail = await WaitUntilAsync(id, d => d.LastError is not null);

        Assert.Equal(IntegrationStatus.PendingVerify, detail.Status);
        Assert.Equal("Attempt 1 failed (Could not reach the provider: the connection was refused or dropped); trying again in 10 s.", detail.LastError);
    }

    [Fact]
    public async Task WebhookEndpointNotListening_SaysTheEndpoint_NotTheProvider()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook(url: "http://127.0.0.1:1/hook"));

        var detail = await WaitUntilAsync(id, d => d.LastError is not null);

        Assert.Equal("Attempt 1 failed (Could not reach the endpoint: the connection was refused or dropped); trying again in 10 s.", detail.LastError);
    }

    [Fact]
    public async Task NewCredentials_AfterAFailure_AreVerifiedAgain_AndTheIntegrationBecomesActive()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio(_providers.BaseUri.ToString(), token: "wrong-token-5555"));
        await WaitUntilAsync(id, d => d.Status == IntegrationStatus.Error);

        await using (var scope = Portal.Services.AsOperator(Acme))
        {
            await scope.ServiceProvider.GetRequiredService<IntegrationService>()
                .ReplaceSecretsAsync(id, new Dictionary<string, string> { ["auth_token"] = IntegrationSeeds.TwilioToken }, TestContext.Current.CancellationToken);
        }

        var detail = await WaitUntilAsync(id, d => d.Status != IntegrationStatus.PendingVerify);
        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.Null(detail.LastError);
    }

    /// <summary>Polls the integration as a page would, briefly, until the condition holds.</summary>
    private Task<IntegrationDetail> WaitUntilAsync(Guid id, Func<IntegrationDetail, bool> condition) =>
        Eventually.ReadAsync(() => Portal.Services.GetIntegrationAsync(Acme, id), condition, "the integration to move on");
}

[OnPostgreSQL]
public sealed class VerificationOnPostgreSQLTests : VerificationTests;
