namespace IntegrationsPortal.Features.Recipients;

public static class RecipientsExtensions
{
    public static IHostApplicationBuilder AddRecipients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RecipientService>();
        return builder;
    }
}
