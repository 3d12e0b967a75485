using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Crypto;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Http;
using Quartz;

namespace IntegrationsPortal.Features.Integrations;

public static class IntegrationsExtensions
{
    public static IHostApplicationBuilder AddIntegrations(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var keyDirectory = Path.Combine(builder.GetDataDirectory(), "vault");
        services.AddSingleton(sp => KeyRing.Load(builder.Configuration, keyDirectory, sp.GetRequiredService<ILogger<KeyRing>>()));
        services.AddSingleton<CredentialVault>();
        services.AddSingleton<IntegrationEvents>();
        services.AddSingleton<VerificationScheduler>();
        services.AddScoped<IntegrationService>();
        services.AddScoped<CatalogService>();
        services.AddScoped<VaultService>();
        services.AddScoped<IntegrationDraftStore>();
        services.AddScoped<Resources.IIntegrationResourceRules, IntegrationResourceRules>();

        services.AddOutboundHttpClient(HttpApiVerifier.HttpClientName, HttpApiVerifier.Timeout);
        services.AddSingleton<IIntegrationVerifier, HttpReachableVerifier>();
        services.AddSingleton<IIntegrationVerifier, Mqtt.MqttVerifier>();
        services.AddSingleton<IIntegrationVerifier, SmtpVerifier>();
        services.AddSingleton<IIntegrationVerifier, TwilioVerifier>();
        services.AddSingleton<IIntegrationVerifier, PlivoVerifier>();
        services.AddSingleton<IIntegrationVerifier, StripeVerifier>();
        services.AddSingleton<IIntegrationVerifier, OpenMeteoVerifier>();
        services.AddSingleton<IIntegrationVerifier, UtilityDataVerifier>();
        services.AddSingleton<IIntegrationVerifier, TelematicsVerifier>();
        services.AddQuartz(quartz => quartz.ScheduleJob<VerificationSweepJob>(
            trigger => trigger.WithIdentity("verification-sweep").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(3)).RepeatForever()),
            job => job.WithIdentity(VerificationSweepJob.Key)));
        return builder;
    }
}
