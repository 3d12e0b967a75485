using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Recipients;

public static class RecipientsExtensions
{
    public static IHostApplicationBuilder AddRecipients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RecipientService>();
        builder.Services.AddTypeCode<RecipientVerifications>();
        return builder;
    }
}
