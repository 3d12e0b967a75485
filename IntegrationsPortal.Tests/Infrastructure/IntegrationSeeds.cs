using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>Valid inputs for the shipped types, and integrations made through the real service.</summary>
public static class IntegrationSeeds
{
    public const string TwilioSid = "AC0123456789abcdef0123456789abcdef";
    public const string TwilioToken = "twilio-token-7f3c9a1e5b";
    public const string StripeSecret = "sk_test_51Hq9zSECRETvalue0abcd";
    public const string StripeWebhookSecret = "whsec_SECRET0webhook0signing";

    public static CreateIntegrationInput Webhook(string name = "Ops webhook", string url = "https://hooks.acme.test/in") => new()
    {
        TypeKey = "webhook",
        Name = name,
        Properties = new() { ["url"] = url, ["auth"] = "NONE" },
    };

    public static CreateIntegrationInput WebhookWithBasicAuth(string auth, string password)
    {
        var input = Webhook();
        input.Properties["auth"] = auth;
        input.Properties["username"] = "hook-user";
        input.Properties["password"] = password;
        return input;
    }

    public static CreateIntegrationInput Twilio(string baseUrl = "https://api.twilio.com", string token = TwilioToken) => new()
    {
        TypeKey = "twilio",
        Name = "Twilio",
        Properties = new() { ["account_sid"] = TwilioSid, ["auth_token"] = token, ["from_number"] = "+14155550100", ["base_url"] = baseUrl },
    };

    /// <summary>Properties of an SMS or phone integration on the seeded Twilio account, sending to <paramref name="recipients"/>.</summary>
    public static Dictionary<string, string?> TwilioRecipientList(Uri baseUri, string recipients, string token = TwilioToken) => new()
    {
        ["account_sid"] = TwilioSid, ["auth_token"] = token, ["from_number"] = "+14155550100",
        ["recipients"] = recipients, ["base_url"] = baseUri.ToString(),
    };

    public static CreateIntegrationInput Stripe(string baseUrl = "https://api.stripe.com", string secretKey = StripeSecret) => new()
    {
        TypeKey = "stripe",
        Name = "Payments",
        Properties = new()
        {
            ["publishable_key"] = "pk_test_51Hq9zPUBLISHABLE", ["secret_key"] = secretKey,
            ["webhook_secret"] = StripeWebhookSecret, ["base_url"] = baseUrl,
        },
    };

    public static CreateIntegrationInput Telematics(string baseUrl, string token) => new()
    {
        TypeKey = "telematics",
        Name = "Fleet",
        Properties = new() { ["base_url"] = baseUrl, ["api_token"] = token },
    };

    public static AsyncServiceScope AsOperator(this IServiceProvider services, Tenant tenant) =>
        services.AsUser(tenant.OrganizationId, tenant.AdminUserId, tenant.AdminEmail, PortalRoles.Operator);

    public static async Task<Guid> CreateIntegrationAsync(this IServiceProvider services, Tenant tenant, CreateIntegrationInput input)
    {
        await using var scope = services.AsAdmin(tenant);
        return await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(input);
    }

    public static async Task<IntegrationDetail> GetIntegrationAsync(this IServiceProvider services, Tenant tenant, Guid id)
    {
        await using var scope = services.AsAdmin(tenant);
        return await scope.ServiceProvider.GetRequiredService<IntegrationQueries>().GetAsync(id);
    }

    /// <summary>Polls until the running scheduler's verification has moved the integration on from pending_verify (20 s at most).</summary>
    public static Task<IntegrationDetail> WaitUntilVerifiedAsync(this IServiceProvider services, Tenant tenant, Guid id) => Eventually.ReadAsync(
        () => services.GetIntegrationAsync(tenant, id), detail => detail.Status != IntegrationStatus.PendingVerify, $"integration {id} to leave pending_verify");
}
