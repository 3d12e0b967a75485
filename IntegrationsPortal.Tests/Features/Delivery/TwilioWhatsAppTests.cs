using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Delivery;

public sealed class TwilioWhatsAppTests
{
    [Theory]
    [InlineData("WHATSAPP", "+14155550111", "whatsapp:+14155550111", "whatsapp:+14155550100")]
    [InlineData("WHATSAPP", "whatsapp:+14155550111", "whatsapp:+14155550111", "whatsapp:+14155550100")]
    [InlineData("SMS", "+14155550111", "+14155550111", "+14155550100")]
    [InlineData(null, "+14155550111", "+14155550111", "+14155550100")]
    public async Task Twilio_SendsOnTheChosenChannel_ThroughTheSameMessagesApi(string? channel, string payloadTo, string to, string from)
    {
        await using var twilio = await FakeMessagingProviders.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var properties = new Dictionary<string, string?>
        {
            ["account_sid"] = IntegrationSeeds.TwilioSid, ["auth_token"] = IntegrationSeeds.TwilioToken,
            ["from_number"] = "+14155550100", ["base_url"] = twilio.BaseUri.ToString(),
        };
        if (channel is not null)
        {
            properties["channel"] = channel;
        }

        var id = await harness.CreateAsync("twilio", properties);

        var messageId = await harness.EnqueueAsync(id, $$"""{"to":"{{payloadTo}}","text":"Freezer 2 is above -15 °C"}""");
        await harness.DispatchAsync();

        var request = Assert.Single(twilio.Requests);
        Assert.EndsWith($"/Accounts/{IntegrationSeeds.TwilioSid}/Messages.json", request.Path, StringComparison.Ordinal);
        var form = FakeMessagingProviders.Form(request);
        Assert.Equal(to, form["To"]);
        Assert.Equal(from, form["From"]);
        Assert.Equal("Freezer 2 is above -15 °C", form["Body"]);
        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(messageId)).Message.Status);
    }

    [Fact]
    public async Task Twilio_UnknownChannel_IsRefusedOnTheField()
    {
        await using var harness = await DeliveryHarness.StartAsync();

        var error = await Assert.ThrowsAsync<PortalException>(() => harness.CreateAsync("twilio", new()
        {
            ["account_sid"] = IntegrationSeeds.TwilioSid, ["auth_token"] = IntegrationSeeds.TwilioToken,
            ["from_number"] = "+14155550100", ["channel"] = "TELEGRAM",
        }));

        Assert.Equal(PortalErrorKind.Validation, error.Kind);
        Assert.Equal(["Must be one of SMS, WHATSAPP."], error.FieldErrors!["channel"]);
    }
}
