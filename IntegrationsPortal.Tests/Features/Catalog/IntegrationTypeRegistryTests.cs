using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Ingestion.Providers;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Features.Catalog;

public sealed class IntegrationTypeRegistryTests
{
    [Fact]
    public async Task Portal_RefusesToStart_WhenACatalogTypeHasNoSender_AndNamesTheType()
    {
        using var files = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = files.Path,
            EnvironmentName = "Testing",
            Args = [PortalExtensions.NoConfigReload],
        });
        builder.Configuration["ConnectionStrings:Portal"] = $"Data Source={files.DatabaseFile}";
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddPortalServices();
        // As if whoever added the Slack type forgot to register its class.
        var slack = builder.Services.Single(d => d.ServiceType == typeof(IDeliverySender) && d.ImplementationType == typeof(SlackIncomingWebhook));
        builder.Services.Remove(slack);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<IntegrationTypeCodeMissingException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("The integration type 'slack' (Slack) offers Test send but has no sender: register an IDeliverySender marked [ForTypes(\"slack\")].", problem);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NamesEveryGap_NotJustTheFirst()
    {
        var catalog = CatalogData.Types.Where(t => t.Key is TypeKeys.Webhook or TypeKeys.Telematics or TypeKeys.Sms).ToList();

        var error = Assert.Throws<IntegrationTypeCodeMissingException>(() => Check(
            catalog, [new StraySender()], [], [], [], [new WebhookRecipients()]));

        Assert.Contains(error.Problems, p => p.StartsWith("The integration type 'webhook' (Webhook) has no verifier", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("The integration type 'webhook' (Webhook) offers Test send but has no sender", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("The integration type 'webhook' (Webhook) has a signing secret but no ISigningSecretHooks", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("The integration type 'telematics' (Telematics) pulls data but has no ingress provider", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("The integration type 'sms' (SMS) verifies its recipients but lacks", StringComparison.Ordinal));
        Assert.Contains("The sender StraySender is marked for 'fax', which is not in the catalog.", error.Problems);
        Assert.Contains("The integration type 'webhook' (Webhook) has recipient-list hooks but its catalog entry does not set VerifiesRecipients.", error.Problems);
    }

    [Fact]
    public void TwoClassesClaimingOneType_AreRefused()
    {
        var webhook = CatalogData.Types.Where(t => t.Key == TypeKeys.Webhook).ToList();

        var error = Assert.Throws<IntegrationTypeCodeMissingException>(() => Check(
            webhook, [new WebhookSender(null!), new WebhookTwin()], [], [], [new WebhookSigningSecrets()], []));

        Assert.Contains("The integration type 'webhook' has two of a sender: WebhookSender and WebhookTwin.", error.Problems);
    }

    /// <summary>The start-up check over <paramref name="catalog"/> with the given code and every feature's requirement.</summary>
    private static void Check(
        IReadOnlyList<IntegrationType> catalog,
        IEnumerable<IDeliverySender> senders,
        IEnumerable<IIntegrationVerifier> verifiers,
        IEnumerable<IIngressProvider> providers,
        IEnumerable<ISigningSecretHooks> signingSecrets,
        IEnumerable<IRecipientListHooks> recipientLists)
    {
        var senderCode = new TypeCode<IDeliverySender>(catalog, senders);
        var verifierCode = new TypeCode<IIntegrationVerifier>(catalog, verifiers);
        var providerCode = new TypeCode<IIngressProvider>(catalog, providers);
        var signingCode = new TypeCode<ISigningSecretHooks>(catalog, signingSecrets);
        var recipientCode = new TypeCode<IRecipientListHooks>(catalog, recipientLists);
        IntegrationTypeCheck.Run(
            catalog,
            [senderCode, verifierCode, providerCode, signingCode, recipientCode],
            [new VerifierRequirement(verifierCode), new SenderRequirement(senderCode, recipientCode), new IngressProviderRequirement(providerCode), new SigningSecretRequirement(signingCode)]);
    }

    [ForTypes("fax")]
    private sealed class StraySender : IDeliverySender
    {
        public Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct) => throw new NotSupportedException();
    }

    [ForTypes(TypeKeys.Webhook)]
    private sealed class WebhookRecipients : IRecipientListHooks
    {
        public Task<IReadOnlySet<string>> VerifiedAsync(PortalDbContext db, Guid integrationId, CancellationToken ct) => throw new NotSupportedException();

        public Task ForgetRemovedAsync(PortalDbContext db, Guid integrationId, IReadOnlyDictionary<string, string> values, CancellationToken ct) =>
            throw new NotSupportedException();
    }

    [ForTypes(TypeKeys.Webhook)]
    private sealed class WebhookTwin : IDeliverySender
    {
        public Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct) => throw new NotSupportedException();
    }
}
