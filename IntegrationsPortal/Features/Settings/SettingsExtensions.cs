namespace IntegrationsPortal.Features.Settings;

public static class SettingsExtensions
{
    /// <summary>The organization's settings and users (Features/Settings).</summary>
    public static IHostApplicationBuilder AddSettings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SettingsService>();
        return builder;
    }
}
