namespace IntegrationsPortal.Features.Platform;

public static class PlatformExtensions
{
    /// <summary>Organizations and platform administrators, for platform administrators (Features/Platform).</summary>
    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PlatformService>();
        return builder;
    }
}
