using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Infrastructure.Http;

/// <summary>
/// Every HTTP channel with the policy as shipped (loopback not allowed): the refusal is a final,
/// clear message on the integration, and the listener the channel points at sees no connection.
/// </summary>
public sealed class OutboundRefusalTests
{
    private const string Loopback = "The address 127.0.0.1 is in a loopback network; an administrator can allow it with Portal:Delivery:AllowedNetworks.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("webhook")]
    [InlineData("webhook-digest")]
    [InlineData("http")]
    [InlineData("twilio")]
    [InlineData("plivo")]
    public async Task Delivery_ToARefusedAddress_FailsOnceForGood_AndReachesNothing(string channel)
    {
        using var target = new ConnectionCounter();
        await using var harness = await DeliveryHarness.StartAsync(allowLoopback: false);
        var url = target.Url.ToString();
        var (type, properties) = channel switch
        {
            "webhook" => ("webhook", new Dictionary<string, string?> { ["url"] = url }),
            "webhook-digest" => ("webhook", new() { ["url"] = url, ["auth"] = "DIGEST", ["username"] = "hook", ["password"] = "digest-password-1" }),
            "http" => ("http", new() { ["url"] = url }),
            "twilio" => ("twilio", new()
            {
                ["account_sid"] = IntegrationSeeds.TwilioSid, ["auth_token"] = IntegrationSeeds.TwilioToken, ["from_number"] = "+14155550100", ["base_url"] = url,
            }),
            _ => ("plivo", new()
            {
                ["auth_id"] = FakeMessagingProviders.PlivoAuthId, ["auth_token"] = FakeMessagingProviders.PlivoToken, ["from_number"] = "+14155550100", ["base_url"] = url,
            }),
        };
        var id = await harness.CreateAsync(type, properties);

        var messageId = await harness.EnqueueAsync(id, """{"to":"+14155550123","text":"Tank 2 is low"}""");
        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Dead, detail.Message.Status);
        var attempt = Assert.Single(detail.Attempts);
        Assert.Equal("refused_address", attempt.ErrorClass);
        Assert.EndsWith(Loopback, attempt.ErrorMessage, StringComparison.Ordinal); // phone senders put the number first
        Assert.Null(attempt.NextAttemptAt);
        Assert.Equal(0, target.Connections);
    }

    [Theory]
    [InlineData("webhook")]
    [InlineData("webhook-digest")]
    [InlineData("twilio")]
    [InlineData("telematics")]
    public async Task Verification_OfARefusedAddress_GoesToErrorAtOnce_AndReachesNothing(string channel)
    {
        using var target = new ConnectionCounter();
        await using var portal = await PortalServices.StartAsync(allowLoopback: false);
        var acme = await portal.Services.SetUpFirstOrganizationAsync();
        await portal.StartSchedulerAsync();
        var url = target.Url.ToString();
        var input = channel switch
        {
            "webhook" => IntegrationSeeds.Webhook(url: url),
            "webhook-digest" => IntegrationSeeds.Webhook(url: url),
            "twilio" => IntegrationSeeds.Twilio(url),
            _ => IntegrationSeeds.Telematics(url, "telematics-token-0042"),
        };
        if (channel == "webhook-digest")
        {
            input.Properties["auth"] = "DIGEST";
            input.Properties["username"] = "hook";
            input.Properties["password"] = "digest-password-1";
        }

        var id = await portal.Services.CreateIntegrationAsync(acme, input);
        var detail = await portal.Services.WaitUntilVerifiedAsync(acme, id);

        // Straight to error with the policy's words: a retry would have left it pending with "Attempt 1 failed".
        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal(Loopback, detail.LastError);
        Assert.Null(await QueuedVerification.NextRunAsync(portal.Services, id, Ct));
        Assert.Equal(0, target.Connections);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("utility-data")]
    [InlineData("open-meteo")]
    [InlineData("telematics")]
    public async Task Pull_FromARefusedAddress_FailsTheRunWithTheNote_WithoutRetrying_AndReachesNothing(string type)
    {
        using var target = new ConnectionCounter();
        // On a clock that never moves, a retry on the backoff schedule would wait forever (and time out).
        await using var portal = await PortalServices.StartAsync(
            builder => builder.Services.AddSingleton<TimeProvider>(new ManualTimeProvider()), allowLoopback: false);
        var acme = await portal.Services.SetUpFirstOrganizationAsync();
        var integration = await ActiveIngressIntegrationAsync(portal, acme, type, target.Url);

        var run = await BackfillOnceAsync(portal, acme, integration);

        Assert.Equal(IngestionRunStatus.Failed, run.Status);
        Assert.Equal(Loopback, run.Error);
        Assert.Equal(0, target.Connections);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pull_RedirectedToARefusedAddress_IsRefusedAtTheRedirect_AndReachesNothingThere()
    {
        // 127.0.0.1 is allowed, 127.0.0.2 (loopback too, but not on the list) is not.
        using var inner = new ConnectionCounter("127.0.0.2");
        var redirected = 0;
        var (app, provider) = await LoopbackApp.StartAsync(app => app.Run(context =>
        {
            Interlocked.Increment(ref redirected);
            context.Response.Redirect(new Uri(inner.Url, context.Request.Path + context.Request.QueryString).ToString());
            return Task.CompletedTask;
        }));
        await using var _ = app;
        await using var portal = await PortalServices.StartAsync(
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Portal:Delivery:AllowedNetworks:0"] = "127.0.0.1/32" }),
            allowLoopback: false);
        var acme = await portal.Services.SetUpFirstOrganizationAsync();
        var integration = await ActiveIngressIntegrationAsync(portal, acme, "utility-data", provider);

        var run = await BackfillOnceAsync(portal, acme, integration);

        Assert.Equal(1, redirected);
        Assert.Equal(IngestionRunStatus.Failed, run.Status);
        Assert.Equal(Loopback.Replace("127.0.0.1", "127.0.0.2", StringComparison.Ordinal), run.Error);
        Assert.Equal(0, inner.Connections);
    }

    /// <summary>An active ingress integration of <paramref name="type"/> at <paramref name="baseUrl"/>, with one resource mapped so a pull has something to ask for.</summary>
    private static async Task<Guid> ActiveIngressIntegrationAsync(PortalServices portal, Tenant acme, string type, Uri baseUrl)
    {
        await using var scope = portal.Services.AsAdmin(acme);
        var services = scope.ServiceProvider;
        var id = await services.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = type,
            Name = "Source",
            Properties = type == "open-meteo"
                ? new() { ["base_url"] = baseUrl.ToString() }
                : new() { ["base_url"] = baseUrl.ToString(), ["api_token"] = "ingress-token-0042" },
        });
        var places = services.GetRequiredService<PlaceService>();
        var devices = services.GetRequiredService<DeviceService>();
        var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Site", Latitude = 52.52, Longitude = 13.41 });
        var resource = type switch
        {
            "open-meteo" => ResourcePath.ForPlace(site),
            _ => ResourcePath.ForDevice(site, await devices.CreateDeviceAsync(new DeviceInput
            {
                Name = "Unit 1", PlaceId = site, DeviceType = type == "telematics" ? "vehicle" : "meter",
            })),
        };
        await services.GetRequiredService<ResourceMappingService>().CreateAsync(id, new MappingInput { ExternalId = "X-1", ResourcePath = resource });

        // Verification has its own tests; here the integration is simply made active.
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        (await db.Set<Integration>().SingleAsync(i => i.Id == id, Ct)).Status = IntegrationStatus.Active;
        await db.SaveChangesAsync(Ct);
        return id;
    }

    /// <summary>A one-day backfill run as its job runs it, and the run as the integration's page shows it.</summary>
    private static async Task<IngestionRunView> BackfillOnceAsync(PortalServices portal, Tenant acme, Guid integration)
    {
        await using var scope = portal.Services.AsAdmin(acme);
        var ingestion = scope.ServiceProvider.GetRequiredService<IngestionService>();
        var from = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var run = await ingestion.StartBackfillAsync(integration, new BackfillInput(from, from.AddDays(1)), Ct);
        await IngestionJobRunner.RunAsync(portal.Services.GetRequiredService<IServiceScopeFactory>(), acme.OrganizationId, run, Ct);
        return (await ingestion.ListRunsAsync(integration, ct: Ct)).Single(r => r.Id == run);
    }
}
