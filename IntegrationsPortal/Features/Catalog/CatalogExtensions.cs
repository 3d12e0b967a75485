namespace IntegrationsPortal.Features.Catalog;

public static class CatalogExtensions
{
    /// <summary>
    /// The catalog and the registry of each type's code (docs/decisions/010). The features that own the code
    /// register it with <see cref="TypeCodeExtensions.AddTypeCode{T}"/> and say what each type must have with
    /// <see cref="TypeCodeExtensions.AddTypeCodeRequirement{T}"/>, in their own AddXxx.
    /// </summary>
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(typeof(TypeCode<>));
        builder.Services.AddTypeCodeRequirement<SigningSecretRequirement>();
        builder.Services.AddHostedService<IntegrationTypeCheck>();
        builder.Services.AddScoped<CatalogService>();
        return builder;
    }
}
