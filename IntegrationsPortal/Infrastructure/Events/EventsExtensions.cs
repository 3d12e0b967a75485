using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Infrastructure.Events;

public static class EventsExtensions
{
    /// <summary>
    /// <see cref="LiveEvents"/> for the features' events classes; on PostgreSQL with the relay that carries
    /// them to the other nodes (a hosted service, also a singleton so a test can see it listening).
    /// </summary>
    public static IHostApplicationBuilder AddLiveEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LiveEvents>();
        if (builder.Configuration.GetDatabaseProvider() == DatabaseProvider.PostgreSQL)
        {
            var connectionString = builder.GetPortalConnectionString();
            builder.Services.AddSingleton(services => new PostgresEventRelay(
                services.GetRequiredService<LiveEvents>(), connectionString, services.GetRequiredService<ILogger<PostgresEventRelay>>()));
            builder.Services.AddHostedService(services => services.GetRequiredService<PostgresEventRelay>());
        }

        return builder;
    }
}
