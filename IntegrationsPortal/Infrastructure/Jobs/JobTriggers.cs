using Quartz;

namespace IntegrationsPortal.Infrastructure.Jobs;

public static class JobTriggers
{
    /// <summary>
    /// The key for the one trigger of a job that has one at a time (named like the job): scheduling the
    /// job again with <see cref="ScheduleJobOptions.Replacing"/> then replaces the waiting trigger. A
    /// generated key adds a second trigger at each call instead, and the job runs once per trigger.
    /// </summary>
    public static TriggerKey OnlyTriggerOf(IJobDetail job) => new(job.Key.Name, job.Key.Group);
}
