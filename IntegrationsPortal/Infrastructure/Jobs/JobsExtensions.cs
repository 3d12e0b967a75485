using IntegrationsPortal.Infrastructure.Data;
using Quartz;

namespace IntegrationsPortal.Infrastructure.Jobs;

public static class JobsExtensions
{
    /// <summary>
    /// Quartz with its persistent store in the portal's own database, so scheduled work survives a
    /// restart. Quartz creates its tables on first start (SchemaProvisioning.CreateIfMissing).
    /// </summary>
    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddQuartz(quartz =>
        {
            quartz.UsePersistentStore(store =>
            {
                store.UseSqlite(builder.GetPortalConnectionString());
                store.ProvisionSchema();
            });
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }
}
