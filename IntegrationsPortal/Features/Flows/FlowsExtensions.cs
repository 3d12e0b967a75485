using IntegrationsPortal.Features.Ingestion;
using Quartz;

namespace IntegrationsPortal.Features.Flows;

public static class FlowsExtensions
{
    public static IHostApplicationBuilder AddFlows(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(FunctionLimits.Section).Get<FunctionLimits>() ?? new FunctionLimits());
        services.AddSingleton<FunctionSandbox>();
        services.AddSingleton<FlowEvents>();
        services.AddScoped<FlowValidator>();
        services.AddSingleton<FlowTelemetry>();
        services.AddScoped<FlowRunner>();
        services.AddScoped<IReadingsObserver>(sp => sp.GetRequiredService<FlowRunner>());
        services.AddScoped<FlowService>();
        services.AddSingleton<Operations.IFlowHopRenderer, Destinations.CapabilityHopRenderer>();
        services.AddScoped<Editor.FlowEditorQueries>();
        services.AddSingleton<Editor.FlowDraftStore>();
        services.AddQuartz(quartz => quartz.ScheduleJob<FlowRetentionJob>(
            trigger => trigger.WithIdentity("flow-retention").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromHours(6)).RepeatForever()),
            job => job.WithIdentity(FlowRetentionJob.Key)));
        return builder;
    }
}
