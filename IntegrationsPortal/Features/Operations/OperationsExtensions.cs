using IntegrationsPortal.Features.Delivery;
using Quartz;

namespace IntegrationsPortal.Features.Operations;

public static class OperationsExtensions
{
    /// <summary>Operations routed by capability and delivered through the outbox (Features/Operations).</summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<OperationService>();
        builder.Services.AddSingleton<IOutboxObserver, OperationProgress>();
        builder.Services.AddQuartz(quartz => quartz.ScheduleJob<OperationSweepJob>(
            trigger => trigger.WithIdentity("operation-sweep").WithSimpleSchedule(s => s.WithInterval(OperationSweepJob.Quiet).RepeatForever()),
            job => job.WithIdentity(OperationSweepJob.Key)));
        return builder;
    }
}
