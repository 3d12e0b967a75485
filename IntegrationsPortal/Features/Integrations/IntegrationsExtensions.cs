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
        services.AddSingleton(sp => KeyRing.Load(builder.Configuration, keyDirectory, sp.GetRequiredService<ILogger<KeyRing>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CredentialVault>();
        services.AddSingleton<IntegrationEvents>();
        services.AddSingleton<VerificationScheduler>();
        services.AddSingleton<VerificationTelemetry>();
        services.AddScoped<IntegrationQueries>();
        services.AddSingleton<ITypeUsage, IntegrationTypeUsage>();
        services.AddScoped<IntegrationService>();
        services.AddScoped<IntegrationSecrets>();
        services.AddScoped<IntegrationStatusRecorder>();
        services.AddScoped<VaultService>();
        services.AddScoped<IntegrationDraftStore>();
        services.AddScoped<Resources.IIntegrationResourceRules, IntegrationResourceRules>();

        services.AddOutboundHttpClient(HttpApiVerifier.HttpClientName, HttpApiVerifier.Timeout);
        // Each verifier says which types it checks with [ForTypes]; TypeCode<IIntegrationVerifier> finds it by key.
        services.AddTypeCodeRequirement<VerifierRequirement>();
        // Those of the egress types register with their senders (AddDelivery, AddMqtt).
        services.AddTypeCode<OpenMeteoVerifier>();
        services.AddTypeCode<UtilityDataVerifier>();
        services.AddTypeCode<TelematicsVerifier>();
        services.AddQuartz(quartz => quartz.ScheduleJob<VerificationSweepJob>(
            trigger => trigger.WithIdentity("verification-sweep").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(3)).RepeatForever()),
            job => job.WithIdentity(VerificationSweepJob.Key)));
        return builder;
    }
}
