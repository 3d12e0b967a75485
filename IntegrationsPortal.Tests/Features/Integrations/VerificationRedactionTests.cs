using System.Text;
using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Http;

namespace IntegrationsPortal.Tests.Features.Integrations;

/// <summary>A provider whose refusal quotes the credentials back, encoded: the recorded verification error holds none of them.</summary>
public sealed class VerificationRedactionTests
{
    [Fact]
    public async Task ProviderRefusal_QuotingTheTokenAsBase64UrlEncodedOrHex_IsRecordedWithoutAnyOfThem()
    {
        const string token = "tw/token+with=odd chars";
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{IntegrationSeeds.TwilioSid}:{token}"));
        var forms = new[] { token, basic.TrimEnd('='), Uri.EscapeDataString(token), Convert.ToHexStringLower(Encoding.UTF8.GetBytes(token)) };
        await using var provider = await LoopbackReceiver.StartAsync();
        // A Twilio-shaped 401 whose message quotes what it got, in every form.
        provider.Respond = async (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { code = 20003, message = "Authenticate failed for " + string.Join(" | ", forms) }));
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("twilio", new()
        {
            ["account_sid"] = IntegrationSeeds.TwilioSid, ["auth_token"] = token, ["from_number"] = "+14155550100", ["base_url"] = provider.Url.ToString(),
        });

        var detail = await harness.VerifyAsync(id);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Contains("Authenticate failed for " + SecretRedactor.Mask, detail.LastError, StringComparison.Ordinal);
        Assert.All(forms, form => Assert.DoesNotContain(form, detail.LastError!, StringComparison.Ordinal));
    }
}
