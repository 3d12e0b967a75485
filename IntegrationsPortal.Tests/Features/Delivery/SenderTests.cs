using System.Text;
using IntegrationsPortal.Features.Delivery;
using Microsoft.AspNetCore.Http;

namespace IntegrationsPortal.Tests.Features.Delivery;

public sealed class SenderTests
{
    [Fact]
    public async Task Http_XmlWithApiKey_IsConvertedAndTheKeyRedactedInHistory()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("http", new()
        {
            ["url"] = receiver.Url.ToString(), ["method"] = "PUT", ["auth"] = "API_KEY", ["api_key_header"] = "X-Api-Key",
            ["api_key"] = "key-secret-value-9", ["content_type"] = "XML",
        });

        var messageId = await harness.EnqueueAsync(id, """{"reading":{"kwh":12.5},"tags":["a","b"]}""");
        await harness.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("key-secret-value-9", request.Headers["X-Api-Key"]);
        Assert.StartsWith("application/xml", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Contains("<message><reading><kwh>12.5</kwh></reading><tags><item>a</item><item>b</item></tags></message>", request.Body, StringComparison.Ordinal);
        var attempt = Assert.Single((await harness.DetailAsync(messageId)).Attempts);
        Assert.Contains("X-Api-Key: [redacted]", attempt.RequestHeaders, StringComparison.Ordinal);
        Assert.DoesNotContain("key-secret-value-9", attempt.RequestHeaders, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_FormAndSuccessCodes_RedirectIsAFailureUnlessListed()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, _) => { context.Response.StatusCode = 304; return Task.CompletedTask; };
        await using var harness = await DeliveryHarness.StartAsync();
        var strict = await harness.CreateAsync("http", new() { ["url"] = receiver.Url.ToString(), ["content_type"] = "FORM" }, "Strict");
        var lenient = await harness.CreateAsync("http", new() { ["url"] = receiver.Url.ToString(), ["success_codes"] = "200-299, 304" }, "Lenient");

        var failed = await harness.EnqueueAsync(strict, """{"a":"1 2","b":{"c":true}}""");
        var delivered = await harness.EnqueueAsync(lenient);
        await harness.DispatchAsync();

        Assert.Equal(DeliveryStatus.Failed, (await harness.DetailAsync(failed)).Message.Status);
        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(delivered)).Message.Status);
        Assert.Contains(receiver.Requests, r => r.Body == "a=1+2&b=%7B%22c%22%3Atrue%7D");
    }

    [Fact]
    public async Task Email_GoesToARealSmtpServer()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("email", new()
        {
            ["smtp_host"] = "127.0.0.1", ["smtp_port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["starttls"] = "false",
            ["from"] = "alerts@acme.test", ["recipients"] = "ops@acme.test, oncall@acme.test",
        });

        var messageId = await harness.EnqueueAsync(id, """{"subject":"Meter offline","text":"Meter 42 stopped reporting."}""");
        await harness.DispatchAsync();

        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(messageId)).Message.Status);
        var mail = Assert.Single(smtp.Messages());
        Assert.Contains("Subject: Meter offline", mail, StringComparison.Ordinal);
        Assert.Contains("ops@acme.test", mail, StringComparison.Ordinal);
        Assert.Contains("oncall@acme.test", mail, StringComparison.Ordinal);
        Assert.Contains("Meter 42 stopped reporting.", mail, StringComparison.Ordinal);
        Assert.Contains(messageId.ToString(), mail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sms", "Messages.json", "Body")]
    [InlineData("phone", "Calls.json", "Twiml")]
    public async Task Twilio_SmsAndCalls_UseTheWireFormat(string typeKey, string resource, string field)
    {
        await using var twilio = await FakeMessagingProviders.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync(typeKey, IntegrationSeeds.TwilioRecipientList(twilio.BaseUri, "+14155550101,+14155550102"));
        await harness.VerifyRecipientsAsync(id, twilio, "+14155550101", "+14155550102");
        twilio.Requests.Clear();

        var messageId = await harness.EnqueueAsync(id, """{"text":"Pump 3 tripped"}""");
        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.Equal("Sent to +14155550101, +14155550102.", Assert.Single(detail.Attempts).Note);
        var requests = twilio.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal($"/2010-04-01/Accounts/{IntegrationSeeds.TwilioSid}/{resource}", r.Path);
            Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{IntegrationSeeds.TwilioSid}:{IntegrationSeeds.TwilioToken}")), r.Headers["Authorization"]);
            Assert.StartsWith("application/x-www-form-urlencoded", r.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Contains($"{field}=", r.Body, StringComparison.Ordinal);
            Assert.Contains("Pump+3+tripped", r.Body, StringComparison.Ordinal);
            Assert.Contains("From=%2B14155550100", r.Body, StringComparison.Ordinal);
        });
        Assert.Contains(requests, r => r.Body.Contains("To=%2B14155550101", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.Body.Contains("To=%2B14155550102", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Twilio_AccountType_SendsToThePayloadsNumber_WithoutVerification()
    {
        await using var twilio = await FakeMessagingProviders.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("twilio", new()
        {
            ["account_sid"] = IntegrationSeeds.TwilioSid, ["auth_token"] = IntegrationSeeds.TwilioToken, ["from_number"] = "+14155550100",
            ["base_url"] = twilio.BaseUri.ToString(),
        });

        var messageId = await harness.EnqueueAsync(id, """{"to":"+14155550177","text":"Door open"}""");
        await harness.DispatchAsync();

        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(messageId)).Message.Status);
        Assert.Contains("Body=Door+open", Assert.Single(twilio.To("+14155550177")).Body, StringComparison.Ordinal);
    }
}
