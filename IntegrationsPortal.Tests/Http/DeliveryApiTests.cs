using System.Net;
using System.Net.Http.Json;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public sealed class DeliveryApiTests(SetUpPortalFixture portal)
{
    [Fact]
    public async Task TestSend_ByOperator_IsAcceptedWithTheMessageId_AndViewerIsRefused()
    {
        Guid id;
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            id = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "webhook", Name = "API test-send", Properties = new() { ["url"] = "https://receiver.example/hooks", ["auth"] = "NONE" },
            });
        }

        var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var response = await operatorClient.PostAsJsonAsync($"/api/integrations/{id}/test", new { payload = """{"hello":"world"}""" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<AcceptedDelivery>();
        Assert.NotEqual(Guid.Empty, accepted!.MessageId);
        Assert.Equal($"/api/deliveries/{accepted.MessageId}", response.Headers.Location!.OriginalString);

        var detail = await operatorClient.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/deliveries/{accepted.MessageId}");
        Assert.Equal(accepted.MessageId, detail.GetProperty("message").GetProperty("id").GetGuid());

        var bad = await operatorClient.PostAsJsonAsync($"/api/integrations/{id}/test", new { payload = "not json" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);

        var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        var refused = await viewer.PostAsJsonAsync($"/api/integrations/{id}/test", new { payload = "{}" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
