using IntegrationsPortal.Infrastructure.Data;
using Quartz;

namespace IntegrationsPortal.Infrastructure.Jobs;

public static class JobsExtensions
{
    /// <summary>
    /// Quartz with its persistent store in the portal's own database, so scheduled work survives a
    /// restart. Quartz creates its tables on first start (SchemaProvisioning.CreateIfMissing). On
    /// PostgreSQL the store is clustered: several portal nodes share one schedule, each trigger fires on
    /// one node, and a node that stops checking in has its jobs recovered by another (docs/decisions/036).
    /// </summary>
    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.GetPortalConnectionString();
        var clustered = builder.Configuration.GetDatabaseProvider() == DatabaseProvider.PostgreSQL;
        builder.Services.AddQuartz(quartz =>
        {
            quartz.UsePersistentStore(store =>
            {
                if (clustered)
                {
                    store.UsePostgres(connectionString);
                    // Also gives each node a generated instance id of its own for the cluster's check-in table.
                    store.UseClustering();
                }
                else
                {
                    store.UseSqlite(connectionString);
                }

                store.ProvisionSchema();
            });
        });
        builder.Services.AddScoped<QuartzStore>();
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }
}
