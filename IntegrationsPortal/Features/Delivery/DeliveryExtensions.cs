using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Delivery.Verification;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Http;
using Quartz;

namespace IntegrationsPortal.Features.Delivery;

public static class DeliveryExtensions
{
    public static IHostApplicationBuilder AddDelivery(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Read when first needed, so settings added after this call (tests) still count.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(DeliveryOptions.Section).Get<DeliveryOptions>() ?? new DeliveryOptions());
        var pollInterval = builder.Configuration.GetSection(DeliveryOptions.Section).Get<DeliveryOptions>()?.PollInterval ?? new DeliveryOptions().PollInterval;
        services.AddSingleton<DeliveryEvents>();
        services.AddSingleton<DeliveryRandom>();
        services.AddSingleton<DeliveryScheduler>();
        services.AddSingleton(sp => new FailureThreshold(sp.GetRequiredService<DeliveryOptions>()));
        services.AddSingleton<DeliveryTelemetry>();
        services.AddSingleton<DeliveryDispatcher>();
        // SQLite: one process, a Quartz job reading without writing. PostgreSQL: every node's own loop,
        // claiming what it takes (docs/decisions/045). The only place delivery asks which provider it runs on
        // (besides the nudge, which skips Quartz when the loop listens).
        var everyNode = builder.Configuration.GetDatabaseProvider() == DatabaseProvider.PostgreSQL;
        if (everyNode)
        {
            services.AddSingleton<IDueMessages, ClaimedDueMessages>();
            services.AddHostedService<DeliveryDispatchLoop>();
        }
        else
        {
            services.AddSingleton<IDueMessages, ReadDueMessages>();
        }

        services.AddSingleton<AdminAlerts>();
        services.AddSingleton<HttpDelivery>();
        // Each sender and hook says which types it serves with [ForTypes]; TypeCode<TRole> finds it by key.
        services.AddTypeCodeRequirement<SenderRequirement>();
        services.AddTypeCode<WebhookSender>();
        services.AddTypeCode<WebhookSigningSecrets>();
        services.AddTypeCode<HttpSender>();
        services.AddTypeCode<EmailSender>();
        services.AddTypeCode<TwilioSender>();
        services.AddTypeCode<PlivoSender>();
        services.AddTypeCode<SlackIncomingWebhook>();
        services.AddTypeCode<StripePaymentSender>();
        services.AddTypeCode<HttpReachableVerifier>();
        services.AddTypeCode<SmtpVerifier>();
        services.AddTypeCode<TwilioVerifier>();
        services.AddTypeCode<PlivoVerifier>();
        services.AddTypeCode<StripeVerifier>();
        services.AddScoped<DeliveryService>();
        services.AddScoped<Invitations.PortalLinks>();
        services.AddScoped<Accounts.Invitations.IInvitationEmail, Invitations.InvitationEmail>();

        // Each sender sets its own timeout per request.
        services.AddOutboundHttpClient(HttpDelivery.ClientName, Timeout.InfiniteTimeSpan,
                (sp, handler) => handler.MaxConnectionsPerServer = sp.GetRequiredService<DeliveryOptions>().Concurrency)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.AddQuartz(quartz =>
        {
            if (!everyNode)
            {
                quartz.ScheduleJob<DeliveryDispatchJob>(
                    trigger => trigger.WithIdentity("delivery-dispatch").WithSimpleSchedule(s => s.WithInterval(pollInterval).RepeatForever()),
                    job => job.WithIdentity(DeliveryDispatchJob.Key));
            }

            quartz.ScheduleJob<DeliveryRetentionJob>(
                trigger => trigger.WithIdentity("delivery-retention").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromHours(6)).RepeatForever()),
                job => job.WithIdentity(DeliveryRetentionJob.Key));
        });
        return builder;
    }
}
