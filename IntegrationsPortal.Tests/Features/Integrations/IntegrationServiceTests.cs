using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Integrations;

/// <summary>The integration lifecycle through the service, with Quartz in standby: verification stays queued.</summary>
public class IntegrationServiceTests : PortalServicesTest
{
    [Fact]
    public async Task Create_Webhook_IsPendingVerify_AndQueuesItsVerification()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());

        var detail = await GetAsync(id);
        Assert.Equal(IntegrationStatus.PendingVerify, detail.Status);
        Assert.Equal("https://hooks.acme.test/in", detail.Properties["url"]);
        Assert.Null(detail.VerifiedAt);
        var next = await NextVerificationAsync(id);
        Assert.NotNull(next);
        Assert.InRange(next.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Contains(await AuditAsync(), a => a.Action == "integration.created" && a.Details == "Added Webhook integration 'Ops webhook'.");
    }

    [Fact]
    public async Task Create_WithBadProperties_ReportsEachField_AndCreatesNothing()
    {
        var input = IntegrationSeeds.Webhook();
        input.Properties["url"] = "/relative";
        input.Properties["headers"] = "not json";

        var error = await Assert.ThrowsAsync<PortalException>(() => Portal.Services.CreateIntegrationAsync(Acme, input));

        Assert.Equal(PortalErrorKind.Validation, error.Kind);
        Assert.Equal(["headers", "url"], error.FieldErrors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, (await ListAsync()).Total);
    }

    [Fact]
    public async Task Create_WithoutNameOrType_IsRefused()
    {
        var error = await Assert.ThrowsAsync<PortalException>(() =>
            Portal.Services.CreateIntegrationAsync(Acme, new CreateIntegrationInput { TypeKey = "", Name = "" }));

        Assert.Equal(["Name", "TypeKey"], error.FieldErrors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Create_SecondStripeIntegration_IsRefused()
    {
        await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Stripe());

        var error = await Assert.ThrowsAsync<PortalException>(() => Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Stripe()));

        Assert.Equal(PortalErrorKind.Conflict, error.Kind);
        Assert.Equal("Your organization already has a Stripe integration; only one is allowed.", error.Message);
        Assert.Equal(1, (await ListAsync(new IntegrationQuery { TypeKey = "stripe" })).Total);
    }

    [Fact]
    public async Task Create_TwoStripesAtTheSameMoment_KeepsOnlyOne()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            try
            {
                await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Stripe());
                return null;
            }
            catch (PortalException e)
            {
                return e;
            }
        }));

        var refusal = Assert.Single(attempts, a => a is not null);
        Assert.Equal(PortalErrorKind.Conflict, refusal!.Kind);
        Assert.Equal("Your organization already has a Stripe integration; only one is allowed.", refusal.Message);
        Assert.Equal(1, (await ListAsync(new IntegrationQuery { TypeKey = "stripe" })).Total);
    }

    [Fact]
    public async Task Create_SecondTwilio_InAnotherOrganization_IsAllowed()
    {
        var globex = await Portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());

        var id = await Portal.Services.CreateIntegrationAsync(globex, IntegrationSeeds.Twilio());

        Assert.Equal("twilio", (await Portal.Services.GetIntegrationAsync(globex, id)).Type.Key);
    }

    [Fact]
    public async Task DeletedSingleInstanceType_CanBeCreatedAgain()
    {
        var first = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());
        await WithServiceAsync(s => s.DeleteAsync(first));

        var second = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());

        Assert.NotEqual(first, second);
        Assert.Equal(IntegrationStatus.PendingVerify, (await GetAsync(second)).Status);
    }

    [Fact]
    public async Task Delete_HidesTheIntegration_KeepsTheRow_AndCancelsItsVerification()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());

        await WithServiceAsync(s => s.DeleteAsync(id));

        var error = await Assert.ThrowsAsync<PortalException>(() => GetAsync(id));
        Assert.Equal(PortalErrorKind.NotFound, error.Kind);
        Assert.Equal(0, (await ListAsync()).Total);
        var row = await RawRowAsync(id);
        Assert.NotNull(row.DeletedAt);
        Assert.Equal("Ops webhook", row.Name);
        Assert.Null(await NextVerificationAsync(id));
        Assert.Contains(await AuditAsync(), a => a.Action == "integration.deleted");
        var again = await Assert.ThrowsAsync<PortalException>(() => WithServiceAsync(s => s.DeleteAsync(id)));
        Assert.Equal(PortalErrorKind.NotFound, again.Kind);
    }

    [Fact]
    public async Task Verified_ThenDisabled_ThenActivated_IsActiveAgain_WithoutReverifying()
    {
        var id = await CreateVerifiedWebhookAsync();
        var verifiedAt = (await GetAsync(id)).VerifiedAt;
        var generation = (await RawRowAsync(id)).VerificationGeneration;

        await WithServiceAsync(s => s.DisableAsync(id));
        Assert.Equal(IntegrationStatus.Inactive, (await GetAsync(id)).Status);
        await WithServiceAsync(s => s.ActivateAsync(id));

        var detail = await GetAsync(id);
        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.Equal(verifiedAt, detail.VerifiedAt);
        Assert.Equal(generation, (await RawRowAsync(id)).VerificationGeneration);
    }

    [Fact]
    public async Task Activate_OfANeverVerifiedIntegration_SendsItToVerification()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());
        await WithServiceAsync(s => s.DisableAsync(id));

        await WithServiceAsync(s => s.ActivateAsync(id));

        Assert.Equal(IntegrationStatus.PendingVerify, (await GetAsync(id)).Status);
        Assert.NotNull(await NextVerificationAsync(id));
    }

    [Fact]
    public async Task Activate_FromError_IsRefused_AndTheIntegrationStaysInError()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());
        await RecordVerificationAsync(id, VerificationResult.Failed("The endpoint answered 404: check the URL."));

        var error = await Assert.ThrowsAsync<PortalException>(() => WithServiceAsync(s => s.ActivateAsync(id)));

        Assert.Equal(PortalErrorKind.Conflict, error.Kind);
        Assert.Equal("An integration in error cannot be activated: fix its credentials or run Verify now.", error.Message);
        var detail = await GetAsync(id);
        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal("The endpoint answered 404: check the URL.", detail.LastError);
    }

    [Fact]
    public async Task VerifyNow_FromError_GoesBackToPendingVerify_AndClearsTheError()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());
        await RecordVerificationAsync(id, VerificationResult.Failed("The endpoint answered 404: check the URL."));

        await WithServiceAsync(s => s.VerifyNowAsync(id));

        var detail = await GetAsync(id);
        Assert.Equal(IntegrationStatus.PendingVerify, detail.Status);
        Assert.Null(detail.LastError);
        Assert.NotNull(await NextVerificationAsync(id));
    }

    [Fact]
    public async Task VerifyNow_WhileARetryWaits_ReplacesIt_WithOneCheckNow_AndTheWaitingOneIsOutdated()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());
        var waiting = (await RawRowAsync(id)).VerificationGeneration;
        // What the job leaves after a transient failure: the next attempt in ten minutes.
        await Portal.Services.GetRequiredService<VerificationScheduler>()
            .EnqueueAsync(Acme.OrganizationId, id, waiting, TestContext.Current.CancellationToken, attempt: 5, delay: TimeSpan.FromMinutes(10));

        await WithServiceAsync(s => s.VerifyNowAsync(id));

        Assert.Equal(waiting + 1, (await RawRowAsync(id)).VerificationGeneration);
        Assert.InRange((await NextVerificationAsync(id))!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task CredentialsReplaced_WhileAnAttemptIsInFlight_ItsFailureSchedulesNoRetry_AndTheNewCheckIsTheOnlyOne()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());
        var inFlight = (await RawRowAsync(id)).VerificationGeneration;
        await WithServiceAsync(s => s.ReplaceSecretsAsync(id, new Dictionary<string, string> { ["auth_token"] = "a-newer-token" }));

        // The in-flight attempt comes back with a network failure: the job asks the recorder before queuing its next attempt.
        await using var scope = Portal.Services.AsAdmin(Acme);
        var retry = await scope.ServiceProvider.GetRequiredService<IntegrationStatusRecorder>()
            .RecordVerificationRetryAsync(id, inFlight, "Attempt 1 failed (Could not reach the provider); trying again in 10 s.", TestContext.Current.CancellationToken);

        Assert.False(retry);
        Assert.Equal(inFlight + 1, (await RawRowAsync(id)).VerificationGeneration);
        Assert.Null((await GetAsync(id)).LastError);
        // The one queued check is the new credentials' one, now, not the old chain's in 10 s.
        Assert.InRange((await NextVerificationAsync(id))!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task VerifyNow_WhileDisabled_IsRefused()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());

        await WithServiceAsync(s => s.DisableAsync(id));
        var inactive = await Assert.ThrowsAsync<PortalException>(() => WithServiceAsync(s => s.VerifyNowAsync(id)));
        var disableTwice = await Assert.ThrowsAsync<PortalException>(() => WithServiceAsync(s => s.DisableAsync(id)));

        Assert.Equal("Activate the integration before verifying it.", inactive.Message);
        Assert.Equal("The integration is already inactive.", disableTwice.Message);
        Assert.Equal(IntegrationStatus.Inactive, (await GetAsync(id)).Status);
    }

    [Fact]
    public async Task AVerificationThatFinishesAfterTheIntegrationChanged_IsIgnored()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());
        var queuedGeneration = (await RawRowAsync(id)).VerificationGeneration;
        await WithServiceAsync(s => s.ReplaceSecretsAsync(id, new Dictionary<string, string> { ["auth_token"] = "a-newer-token" }));

        await using var scope = Portal.Services.AsAdmin(Acme);
        var recorded = await scope.ServiceProvider.GetRequiredService<IntegrationStatusRecorder>()
            .RecordVerificationAsync(id, queuedGeneration, VerificationResult.Failed("Twilio refused the credentials (401)."), TestContext.Current.CancellationToken);

        Assert.False(recorded);
        var detail = await GetAsync(id);
        Assert.Equal(IntegrationStatus.PendingVerify, detail.Status);
        Assert.Null(detail.LastError);
    }

    [Fact]
    public async Task Update_WithANewSecret_ReplacesIt_AndSendsTheIntegrationBackToVerification()
    {
        var id = await CreateVerifiedAsync(IntegrationSeeds.Twilio());

        await UpdateTwilioAsync(id, "Twilio", authToken: "rotated-token-1234");

        Assert.Equal(IntegrationStatus.PendingVerify, (await GetAsync(id)).Status);
        Assert.Equal("rotated-token-1234", (await ConfigurationAsync(id)).Secrets["auth_token"]);
        Assert.NotNull(await NextVerificationAsync(id));
        Assert.Contains(await AuditAsync(), a => a.Action == "integration.updated" && a.Details == "Changed 'Twilio' and replaced auth_token.");
    }

    [Fact]
    public async Task ReplaceSecrets_KeepsEverythingElse_AndSendsTheIntegrationBackToVerification()
    {
        var id = await CreateVerifiedAsync(IntegrationSeeds.Stripe());

        await WithServiceAsync(s => s.ReplaceSecretsAsync(id, new Dictionary<string, string> { ["secret_key"] = "sk_test_rotated9876" }));

        var configuration = await ConfigurationAsync(id);
        Assert.Equal(IntegrationStatus.PendingVerify, configuration.Status);
        Assert.Equal("sk_test_rotated9876", configuration.Secrets["secret_key"]);
        Assert.Equal(IntegrationSeeds.StripeWebhookSecret, configuration.Secrets["webhook_secret"]);
        Assert.Equal("pk_test_51Hq9zPUBLISHABLE", configuration.Properties["publishable_key"]);
    }

    [Theory]
    [InlineData("publishable_key", "pk_test_other", "'publishable_key' is not a secret of Stripe.")]
    [InlineData("secret_key", "", "Enter the new value.")]
    public async Task ReplaceSecrets_WithANonSecretOrAnEmptyValue_IsRefused(string name, string value, string message)
    {
        var id = await CreateVerifiedAsync(IntegrationSeeds.Stripe());

        var error = await Assert.ThrowsAsync<PortalException>(() =>
            WithServiceAsync(s => s.ReplaceSecretsAsync(id, new Dictionary<string, string> { [name] = value })));

        Assert.Equal([message], error.FieldErrors[name]);
        Assert.Equal(IntegrationStatus.Active, (await GetAsync(id)).Status);
        Assert.Equal(IntegrationSeeds.StripeSecret, (await ConfigurationAsync(id)).Secrets["secret_key"]);
    }

    [Fact]
    public async Task Update_LeavingSecretsOut_KeepsThem_AndARenameAloneDoesNotReverify()
    {
        var id = await CreateVerifiedAsync(IntegrationSeeds.Twilio());

        await UpdateTwilioAsync(id, "Twilio (prod)", authToken: "");

        var detail = await GetAsync(id);
        Assert.Equal("Twilio (prod)", detail.Name);
        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.True(detail.SecretsSet["auth_token"]);
        Assert.Equal(IntegrationSeeds.TwilioToken, (await ConfigurationAsync(id)).Secrets["auth_token"]);
    }

    [Fact]
    public async Task Update_OfAnEditableProperty_SendsTheIntegrationBackToVerification()
    {
        var id = await CreateVerifiedWebhookAsync();

        await WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = "Ops webhook",
            Properties = new() { ["url"] = "https://hooks.acme.test/v2", ["auth"] = "NONE" },
        }));

        var detail = await GetAsync(id);
        Assert.Equal(IntegrationStatus.PendingVerify, detail.Status);
        Assert.Equal("https://hooks.acme.test/v2", detail.Properties["url"]);
    }

    [Fact]
    public async Task Update_OfANonEditableProperty_IsRefusedWithAFieldError_AndChangesNothing()
    {
        var id = await CreateVerifiedAsync(IntegrationSeeds.Twilio());

        var error = await Assert.ThrowsAsync<PortalException>(() => WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = "Renamed",
            Properties = new() { ["account_sid"] = "AC9999999999999999999999999999999", ["auth_token"] = "another-token" },
        })));

        Assert.Equal(PortalErrorKind.Validation, error.Kind);
        Assert.Equal(["Account SID cannot change after the integration is created."], error.FieldErrors["account_sid"]);
        var detail = await GetAsync(id);
        Assert.Equal("Twilio", detail.Name);
        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.Equal(IntegrationSeeds.TwilioSid, detail.Properties["account_sid"]);
        Assert.Equal(IntegrationSeeds.TwilioToken, (await ConfigurationAsync(id)).Secrets["auth_token"]);
    }

    [Fact]
    public async Task Webhook_SwitchingAuthToNone_ForgetsTheStoredPassword()
    {
        var input = IntegrationSeeds.WebhookWithBasicAuth(auth: "BASIC", password: "hook-password-42");
        var id = await Portal.Services.CreateIntegrationAsync(Acme, input);
        Assert.True((await GetAsync(id)).SecretsSet["password"]);

        await WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = "Ops webhook", Properties = new() { ["url"] = "https://hooks.acme.test/in", ["auth"] = "NONE" },
        }));

        var detail = await GetAsync(id);
        Assert.False(detail.SecretsSet["password"]);
        Assert.False(detail.SecretsSet["username"]);
        // Only the signing secret (generated for every webhook) is left.
        Assert.Equal(["signing_secret"], (await ConfigurationAsync(id)).Secrets.Keys);
    }

    [Fact]
    public async Task Webhook_UrlMovedToAnotherHost_WithoutThePasswordAgain_IsRefusedNextToThePassword_AndKeepsTheOldDestination()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.WebhookWithBasicAuth(auth: "BASIC", password: "hook-password-42"));
        var oldUrl = (await GetAsync(id)).Properties["url"];

        var error = await Assert.ThrowsAsync<PortalException>(() => WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = "Ops webhook", Properties = new() { ["url"] = "https://collector.evil.test/in", ["auth"] = "BASIC" },
        })));

        Assert.Equal(PortalErrorKind.Validation, error.Kind);
        Assert.Equal(["Enter the password again: the destination changed."], error.FieldErrors["password"]);
        Assert.False(error.FieldErrors.ContainsKey("signing_secret")); // signs, is never sent: it stays
        Assert.Equal(oldUrl, (await GetAsync(id)).Properties["url"]);
        Assert.Equal("hook-password-42", (await ConfigurationAsync(id)).Secrets["password"]);
    }

    [Fact]
    public async Task Webhook_PathChangedOnTheSameHost_KeepsThePassword_AndANewHostWithThePasswordTypedAgainIsSaved()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.WebhookWithBasicAuth(auth: "BASIC", password: "hook-password-42"));
        var sameHost = new Uri(new Uri((await GetAsync(id)).Properties["url"]), "/v2/other?x=1").ToString();

        await WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = "Ops webhook", Properties = new() { ["url"] = sameHost, ["auth"] = "BASIC" },
        }));
        Assert.Equal("hook-password-42", (await ConfigurationAsync(id)).Secrets["password"]);

        await WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = "Ops webhook", Properties = new() { ["url"] = "https://hooks.elsewhere.test/in", ["auth"] = "BASIC", ["password"] = "new-host-password" },
        }));
        var configuration = await ConfigurationAsync(id);
        Assert.Equal("https://hooks.elsewhere.test/in", configuration.Properties["url"]);
        Assert.Equal("new-host-password", configuration.Secrets["password"]);
    }

    [Theory]
    [InlineData("email", "smtp_host", "smtp.elsewhere.test", "password")]
    [InlineData("stripe", "base_url", "https://stripe-proxy.elsewhere.test", "secret_key")]
    public async Task EveryType_DestinationMoved_AsksForItsSecretAgain(string typeKey, string destination, string moved, string secret)
    {
        var input = typeKey switch
        {
            "email" => new CreateIntegrationInput { TypeKey = "email", Name = "Mail", Properties = new()
                { ["smtp_host"] = "smtp.acme.test", ["username"] = "u", ["password"] = "smtp-password", ["from"] = "ops@acme.test", ["recipients"] = "a@acme.test" } },
            _ => new CreateIntegrationInput { TypeKey = "stripe", Name = "Stripe", Properties = new()
                { ["publishable_key"] = "pk_test_1", ["secret_key"] = "sk_test_123456", ["webhook_secret"] = "whsec_kept" } },
        };
        var id = await Portal.Services.CreateIntegrationAsync(Acme, input);
        var properties = (await GetAsync(id)).Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        properties[destination] = moved;

        var error = await Assert.ThrowsAsync<PortalException>(() => WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = input.Name, Properties = properties,
        })));

        Assert.StartsWith("Enter the ", Assert.Single(error.FieldErrors[secret]), StringComparison.Ordinal);
        Assert.Equal([secret], error.FieldErrors.Keys);
    }

    [Fact]
    public void Mqtt_BrokerHostMoved_AsksForThePasswordAndClientKeyAgain_APortChangeDoesNot()
    {
        var mqtt = CatalogService.Get("mqtt");
        var before = new Dictionary<string, string?> { ["host"] = "broker.acme.test", ["port"] = "8883", ["tls"] = "true" };
        string[] stored = ["password", "client_key"];

        var moved = new Dictionary<string, string?>(before) { ["host"] = "Broker.Elsewhere.test" };
        Assert.Equal(["password", "client_key"], DestinationRule.SecretsToReenter(mqtt, before, moved, stored, given: []).Select(p => p.Name));
        Assert.Equal(["client_key"], DestinationRule.SecretsToReenter(mqtt, before, moved, stored, given: ["password"]).Select(p => p.Name));
        var sameHostOtherCase = new Dictionary<string, string?>(before) { ["host"] = "BROKER.acme.test" };
        Assert.Empty(DestinationRule.SecretsToReenter(mqtt, before, sameHostOtherCase, stored, given: []));
    }

    [Fact]
    public async Task Webhook_CreatedWithLowerCaseBasicAuth_KeepsItsCredentials()
    {
        var input = IntegrationSeeds.WebhookWithBasicAuth(auth: "basic", password: "hook-password-42");

        var id = await Portal.Services.CreateIntegrationAsync(Acme, input);

        var configuration = await ConfigurationAsync(id);
        Assert.Equal("BASIC", configuration.Properties["auth"]);
        Assert.Equal("hook-password-42", configuration.Secrets["password"]);
        Assert.True((await GetAsync(id)).SecretsSet["password"]);
    }

    [Fact]
    public async Task Viewer_CannotCreateChangeOrDelete_EvenCallingTheServiceDirectly()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());
        var viewerId = await Portal.Services.AddUserAsync(Acme, "vera@acme.test", PortalRoles.Viewer);
        await using var scope = Portal.Services.AsUser(Acme.OrganizationId, viewerId, "vera@acme.test", PortalRoles.Viewer);
        var service = scope.ServiceProvider.GetRequiredService<IntegrationService>();
        var queries = scope.ServiceProvider.GetRequiredService<IntegrationQueries>();

        List<Func<Task>> attempts =
        [
            () => service.CreateAsync(IntegrationSeeds.Webhook("Vera's")),
            () => service.UpdateAsync(id, new UpdateIntegrationInput { Name = "Vera's", Properties = new() { ["url"] = "https://evil.test/", ["auth"] = "NONE" } }),
            () => service.ReplaceSecretsAsync(id, new Dictionary<string, string> { ["password"] = "x" }),
            () => service.DisableAsync(id),
            () => service.VerifyNowAsync(id),
            () => service.DeleteAsync(id),
            () => scope.ServiceProvider.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(id),
        ];
        foreach (var attempt in attempts)
        {
            Assert.Equal(PortalErrorKind.Forbidden, (await Assert.ThrowsAsync<PortalException>(attempt)).Kind);
        }

        var seen = await queries.GetAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal("Ops webhook", seen.Name);
        Assert.Equal("https://hooks.acme.test/in", seen.Properties["url"]);
        Assert.Equal(IntegrationStatus.PendingVerify, seen.Status);
        Assert.Equal(1, (await queries.ListAsync(new IntegrationQuery(), TestContext.Current.CancellationToken)).Total);
    }

    [Fact]
    public async Task AnotherOrganizationsIntegration_IsNotFound_AndNotListed()
    {
        var globex = await Portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        var theirs = await Portal.Services.CreateIntegrationAsync(globex, IntegrationSeeds.Webhook("Globex hook"));
        await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook("Acme hook"));

        var listed = await ListAsync();
        List<Func<Task>> attempts =
        [
            () => GetAsync(theirs),
            () => WithServiceAsync(s => s.UpdateAsync(theirs, new UpdateIntegrationInput { Name = "Mine now", Properties = new() { ["url"] = "https://x.test/", ["auth"] = "NONE" } })),
            () => WithServiceAsync(s => s.DisableAsync(theirs)),
            () => WithServiceAsync(s => s.DeleteAsync(theirs)),
        ];

        Assert.Equal(["Acme hook"], listed.Items.Select(i => i.Name));
        foreach (var attempt in attempts)
        {
            Assert.Equal(PortalErrorKind.NotFound, (await Assert.ThrowsAsync<PortalException>(attempt)).Kind);
        }

        var untouched = await Portal.Services.GetIntegrationAsync(globex, theirs);
        Assert.Equal("Globex hook", untouched.Name);
        Assert.Equal(IntegrationStatus.PendingVerify, untouched.Status);
    }

    [Fact]
    public async Task Delete_ReleasesItsResourceMappings_SoTheMappedDeviceCanBeDeleted()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());
        await using var scope = Portal.Services.AsOperator(Acme);
        var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Depot" }, TestContext.Current.CancellationToken);
        var meter = await devices.CreateDeviceAsync(new DeviceInput { Name = "Main meter", PlaceId = site, DeviceType = "meter" }, TestContext.Current.CancellationToken);
        await scope.ServiceProvider.GetRequiredService<ResourceMappingService>()
            .CreateAsync(id, new MappingInput { ExternalId = "MPAN-1", ResourcePath = ResourcePath.ForDevice(site, meter) }, TestContext.Current.CancellationToken);
        var blocked = await Assert.ThrowsAsync<PortalException>(() => devices.DeleteDeviceAsync(meter, TestContext.Current.CancellationToken));
        Assert.Equal(PortalErrorKind.Conflict, blocked.Kind);

        await WithServiceAsync(s => s.DeleteAsync(id));

        await devices.DeleteDeviceAsync(meter, TestContext.Current.CancellationToken);
        await places.DeletePlaceAsync(site, ct: TestContext.Current.CancellationToken);
        Assert.Contains(await AuditAsync(), a => a.Action == "integration.deleted" && a.Details!.Contains("released its 1 resource mapping", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rename_KeepsTheAccountVerificationFound_ButChangedCredentialsForgetIt()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());
        await RecordVerificationAsync(id, VerificationResult.Success("Accepted.", account: "Acme"));

        await UpdateTwilioAsync(id, "SMS (renamed)", authToken: "");

        var renamed = await GetAsync(id);
        Assert.Equal("SMS (renamed)", renamed.Name);
        Assert.Equal("Acme", renamed.Metadata[Integration.VerifiedAccountKey]);

        await UpdateTwilioAsync(id, "SMS (renamed)", authToken: "another-token-0001");

        Assert.False((await GetAsync(id)).Metadata.ContainsKey(Integration.VerifiedAccountKey));
    }

    [Fact]
    public async Task Create_WithAPreviousSigningSecretTyped_IsRefused_ForOnlyARotationSetsIt()
    {
        var input = IntegrationSeeds.Webhook();
        input.Properties["previous_signing_secret_expires"] = "next tuesday";

        var error = await Assert.ThrowsAsync<PortalException>(() => Portal.Services.CreateIntegrationAsync(Acme, input));

        Assert.Equal(["Previous secret valid until is set by a rotation, not typed."], error.FieldErrors["previous_signing_secret_expires"]);
        Assert.Equal(0, (await ListAsync()).Total);
    }

    private async Task<Guid> CreateVerifiedWebhookAsync() => await CreateVerifiedAsync(IntegrationSeeds.Webhook());

    private async Task<Guid> CreateVerifiedAsync(CreateIntegrationInput input)
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, input);
        await RecordVerificationAsync(id, VerificationResult.Success("Accepted."));
        return id;
    }

    /// <summary>What the verification job reports when it finishes; the job itself is tested against fake providers.</summary>
    private async Task RecordVerificationAsync(Guid id, VerificationResult result)
    {
        var generation = (await RawRowAsync(id)).VerificationGeneration;
        await using var scope = Portal.Services.AsAdmin(Acme);
        Assert.True(await scope.ServiceProvider.GetRequiredService<IntegrationStatusRecorder>().RecordVerificationAsync(id, generation, result));
    }

    private Task UpdateTwilioAsync(Guid id, string name, string authToken) => WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
    {
        Name = name,
        Properties = new() { ["account_sid"] = IntegrationSeeds.TwilioSid, ["auth_token"] = authToken, ["from_number"] = "+14155550100" },
    }));

    private async Task WithServiceAsync(Func<IntegrationService, Task> action)
    {
        await using var scope = Portal.Services.AsOperator(Acme);
        await action(scope.ServiceProvider.GetRequiredService<IntegrationService>());
    }

    private Task<IntegrationDetail> GetAsync(Guid id) => Portal.Services.GetIntegrationAsync(Acme, id);

    private async Task<PagedResult<IntegrationRow>> ListAsync(IntegrationQuery? query = null)
    {
        await using var scope = Portal.Services.AsOperator(Acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationQueries>().ListAsync(query ?? new IntegrationQuery());
    }

    private async Task<ConfiguredIntegration> ConfigurationAsync(Guid id)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(id);
    }

    private async Task<Integration> RawRowAsync(Guid id)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<Integration>().IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == id);
    }

    private async Task<IReadOnlyList<AuditEntrySummary>> AuditAsync()
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        return await scope.ServiceProvider.GetRequiredService<SettingsService>().ListAuditAsync(ct: TestContext.Current.CancellationToken);
    }

    private async Task<DateTimeOffset?> NextVerificationAsync(Guid id) =>
        await QueuedVerification.NextRunAsync(Portal.Services, id, TestContext.Current.CancellationToken);
}

/// <summary>The integration lifecycle on PostgreSQL.</summary>
[OnPostgreSQL]
public sealed class IntegrationServiceOnPostgreSQLTests : IntegrationServiceTests;
