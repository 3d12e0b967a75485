using System.Net;
using System.Net.Http.Json;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class DeliveryApiTests(SetUpPortalFixture portal)
{
    private async Task<Guid> CreateWebhookAsync(string name)
    {
        await using var scope = portal.App.Services.AsAdmin(portal.Acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = "webhook", Name = name, Properties = new() { ["url"] = "https://receiver.example/hooks", ["auth"] = "NONE" },
        });
    }

    [Fact]
    public async Task TestSend_ByOperator_IsAcceptedWithTheMessageId_AndViewerIsRefused()
    {
        var id = await CreateWebhookAsync("API test-send");

        var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var response = await operatorClient.PostAsJsonAsync($"/api/integrations/{id}/test", new { payload = """{"hello":"world"}""" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<AcceptedDelivery>(TestContext.Current.CancellationToken);
        Assert.NotEqual(Guid.Empty, accepted!.MessageId);
        Assert.Equal($"/api/deliveries/{accepted.MessageId}", response.Headers.Location!.OriginalString);

        var detail = await operatorClient.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/deliveries/{accepted.MessageId}", TestContext.Current.CancellationToken);
        Assert.Equal(accepted.MessageId, detail.GetProperty("message").GetProperty("id").GetGuid());

        var bad = await operatorClient.PostAsJsonAsync($"/api/integrations/{id}/test", new { payload = "not json" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);

        var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        var refused = await viewer.PostAsJsonAsync($"/api/integrations/{id}/test", new { payload = "{}" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task TestSend_RepeatedWithTheSameIdempotencyKey_ReturnsTheSameMessage_AndQueuesOnce()
    {
        var id = await CreateWebhookAsync("API idempotent test-send");

        var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        async Task<HttpResponseMessage> SendAsync(string? key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/integrations/{id}/test") { Content = JsonContent.Create(new { payload = """{"n":1}""" }) };
            if (key is not null)
            {
                request.Headers.Add("Idempotency-Key", key);
            }

            return await client.SendAsync(request);
        }

        // A client retrying after a lost answer: same key, same message, nothing queued twice.
        var first = await SendAsync("order-7781");
        var again = await SendAsync("order-7781");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var firstId = (await first.Content.ReadFromJsonAsync<AcceptedDelivery>(TestContext.Current.CancellationToken))!.MessageId;
        Assert.Equal(firstId, (await again.Content.ReadFromJsonAsync<AcceptedDelivery>(TestContext.Current.CancellationToken))!.MessageId);

        var other = (await (await SendAsync("order-7782")).Content.ReadFromJsonAsync<AcceptedDelivery>(TestContext.Current.CancellationToken))!.MessageId;
        var unkeyed = (await (await SendAsync(null)).Content.ReadFromJsonAsync<AcceptedDelivery>(TestContext.Current.CancellationToken))!.MessageId;
        Assert.NotEqual(firstId, other);
        Assert.NotEqual(firstId, unkeyed);
        var history = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/deliveries?integration={id}&take=50", TestContext.Current.CancellationToken);
        Assert.Equal(3, history.GetProperty("total").GetInt32());

        var bad = await SendAsync(new string('k', 300));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("Idempotency-Key", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class DeliveryApiOnPostgreSQLTests(SetUpPortalFixture portal) : DeliveryApiTests(portal);
