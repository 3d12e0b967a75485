using Microsoft.EntityFrameworkCore.Diagnostics;
using Quartz;

namespace IntegrationsPortal.Features.Audit;

public static class AuditExtensions
{
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = builder.Configuration.GetSection(AuditOptions.Section).Get<AuditOptions>() ?? new AuditOptions();
        if (options.RetentionDays < 1)
        {
            throw new InvalidOperationException($"{AuditOptions.Section}:RetentionDays must be at least 1 (it is {options.RetentionDays}).");
        }

        services.AddSingleton(options);
        // Every PortalDbContext takes the registered interceptors (AddPortalData): new audit entries are chained as they are saved.
        services.AddSingleton<IInterceptor, AuditWriter>();
        services.AddHttpContextAccessor();
        services.AddScoped<AuditTrail>();
        services.AddScoped<SignInAudit>();
        services.AddScoped<Accounts.IOrganizationSwitchAudit>(sp => sp.GetRequiredService<SignInAudit>());
        services.AddScoped<AuditQueries>();
        services.AddSingleton<CredentialUseCounter>();
        services.AddHostedService(sp => sp.GetRequiredService<CredentialUseCounter>());
        services.AddQuartz(quartz => quartz.ScheduleJob<AuditRetentionJob>(
            trigger => trigger.WithIdentity("audit-retention").WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromDays(1)).RepeatForever()),
            job => job.WithIdentity(AuditRetentionJob.Key)));
        return builder;
    }
}
