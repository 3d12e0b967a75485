using System.Text;
using System.Text.Json;
using IntegrationsPortal.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>The Plivo type through the real dispatcher, against a fake Plivo Message API on loopback.</summary>
public sealed class PlivoSenderTests
{
    [Fact]
    public async Task TestSend_PostsTheMessageApiJson_WithBasicAuth_AndTheHistoryRedactsTheToken()
    {
        await using var plivo = await FakeMessagingProviders.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await CreateAsync(harness, plivo);

        var accepted = await harness.AsAdminAsync(sp =>
            sp.GetRequiredService<DeliveryService>().SendTestAsync(id, """{"to":"+14155550123","text":"Tank 2 is low"}"""));
        await harness.DispatchAsync();

        var request = Assert.Single(plivo.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/v1/Account/{FakeMessagingProviders.PlivoAuthId}/Message/", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FakeMessagingProviders.PlivoAuthId}:{FakeMessagingProviders.PlivoToken}")),
            request.Headers["Authorization"]);
        using (var json = JsonDocument.Parse(request.Body))
        {
            Assert.Equal("+14155550100", json.RootElement.GetProperty("src").GetString());
            Assert.Equal("+14155550123", json.RootElement.GetProperty("dst").GetString());
            Assert.Equal("Tank 2 is low", json.RootElement.GetProperty("text").GetString());
        }

        var detail = await harness.DetailAsync(accepted.MessageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        var attempt = Assert.Single(detail.Attempts);
        Assert.Equal(DeliveryTrigger.TestSend, attempt.Trigger);
        Assert.Equal(202, attempt.StatusCode);
        Assert.Contains("message(s) queued", attempt.ResponseBody, StringComparison.Ordinal);
        Assert.Contains("Authorization: [redacted]", attempt.RequestHeaders, StringComparison.Ordinal);
        Assert.Equal("Sent to +14155550123.", attempt.Note);
        var recorded = string.Join("\n", attempt.Url, attempt.RequestHeaders, attempt.RequestBody, attempt.ResponseHeaders, attempt.ResponseBody, attempt.ErrorMessage);
        Assert.DoesNotContain(FakeMessagingProviders.PlivoToken, recorded, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FakeMessagingProviders.PlivoAuthId}:{FakeMessagingProviders.PlivoToken}")),
            recorded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutomaticDelivery_SendsOneRequestPerNumberOfTheTo()
    {
        await using var plivo = await FakeMessagingProviders.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await CreateAsync(harness, plivo);

        var messageId = await harness.EnqueueAsync(id, """{"to":"+14155550123,+14155550124","text":"Pump 3 tripped"}""");
        await harness.DispatchAsync();

        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(messageId)).Message.Status);
        var destinations = plivo.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("dst").GetString()).ToList();
        Assert.Equal(["+14155550123", "+14155550124"], destinations);
    }

    [Fact]
    public async Task RefusedToken_EndsTheMessage_WithAClearMessage_ForRetryingCannotHelp()
    {
        await using var plivo = await FakeMessagingProviders.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await CreateAsync(harness, plivo, token: "plivo-token-wrong-9876");

        var messageId = await harness.EnqueueAsync(id, """{"to":"+14155550123","text":"Pump 3 tripped"}""");
        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal((DeliveryStatus.Dead, null), (detail.Message.Status, detail.Message.NextAttemptAt));
        var attempt = Assert.Single(detail.Attempts);
        Assert.False(attempt.Succeeded);
        Assert.Equal(401, attempt.StatusCode);
        Assert.Equal("+14155550123: Plivo refused the credentials (401): check the auth ID and the auth token.", attempt.ErrorMessage);
        Assert.Equal(attempt.ErrorMessage, detail.Message.LastError);
        Assert.DoesNotContain("plivo-token-wrong-9876", attempt.RequestHeaders + attempt.ResponseBody + attempt.ErrorMessage, StringComparison.Ordinal);
    }

    private static Task<Guid> CreateAsync(DeliveryHarness harness, FakeMessagingProviders plivo, string token = FakeMessagingProviders.PlivoToken) =>
        harness.CreateAsync("plivo", new()
        {
            ["auth_id"] = FakeMessagingProviders.PlivoAuthId, ["auth_token"] = token, ["from_number"] = "+14155550100",
            ["base_url"] = plivo.BaseUri.ToString(),
        }, "Plivo");
}
