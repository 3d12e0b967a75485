using System.Collections.Concurrent;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace IntegrationsPortal.Tests.Infrastructure.Jobs;

/// <summary>
/// The whole portal started as it runs (WebApplicationFactory, Quartz's hosted service) runs a job
/// scheduled in its persistent store: on SQLite the single-node store, on PostgreSQL the clustered one
/// with its schema made at start and this node checked in (docs/decisions/036).
/// </summary>
public class ScheduledJobsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PortalStarted_RunsAJobScheduledInItsStore()
    {
        await using var app = new PortalAppFactory();
        using var client = app.CreateClient();
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(Ct);
        var key = new JobKey("signal-" + Guid.NewGuid().ToString("N"), "tests");
        var ran = SignalJob.Expect(key.Name);

        var job = JobBuilder.Create<SignalJob>().WithIdentity(key).Build();
        await scheduler.ScheduleJob(job, [TriggerBuilder.Create().ForJob(job).StartNow().Build()], ScheduleJobOptions.Replacing, Ct);

        Assert.Equal(key.Name, await ran.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        var store = await scheduler.GetMetadata(Ct);
        Assert.True(store.JobStorePersistent);
        var postgres = app.Services.GetRequiredService<PortalDatabase>().Provider == DatabaseProvider.PostgreSQL;
        Assert.Equal(postgres, store.JobStoreClustered);
        if (postgres)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
            // The node's cluster check-in, which other nodes read to recover the jobs of one that died.
            var checkedIn = await db.Database.SqlQueryRaw<string>("SELECT instance_name AS \"Value\" FROM qrtz_scheduler_state").ToListAsync(Ct);
            Assert.Equal([store.SchedulerInstanceId], checkedIn);
        }
    }

    /// <summary>Tells the waiting test that Quartz ran it (its job key names the waiter).</summary>
    public sealed class SignalJob : IJob
    {
        private static readonly ConcurrentDictionary<string, TaskCompletionSource<string>> Waiting = new();

        public static Task<string> Expect(string name) =>
            Waiting.GetOrAdd(name, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            if (Waiting.TryRemove(context.JobDetail.Key.Name, out var waiter))
            {
                waiter.TrySetResult(context.JobDetail.Key.Name);
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The same on PostgreSQL: Quartz's clustered ADO.NET store.</summary>
[OnPostgreSQL]
public sealed class ScheduledJobsOnPostgreSQLTests : ScheduledJobsTests;
