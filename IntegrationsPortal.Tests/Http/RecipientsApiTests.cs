using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class RecipientsApiTests(SetUpPortalFixture portal)
{
    private const string Number = "+14155550161";

    [Fact]
    public async Task Operator_SendsAndConfirmsACode_BadCodesAre422WithTheField_AndViewerIsRefused()
    {
        await using var twilio = await FakeMessagingProviders.StartAsync();
        Guid id;
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            id = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "sms", Name = "API recipients",
                Properties = IntegrationSeeds.TwilioRecipientList(twilio.BaseUri, Number),
            }, TestContext.Current.CancellationToken);
        }

        var path = $"/api/integrations/{id}/recipients/{Uri.EscapeDataString(Number)}";
        var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var sent = await operatorClient.PostAsync($"{path}/code", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.Equal("code_sent", (await sent.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await operatorClient.PostAsync($"{path}/code", null, TestContext.Current.CancellationToken)).StatusCode); // within a minute

        var malformed = await operatorClient.PostAsJsonAsync($"{path}/confirm", new { code = "12" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);
        var problem = await malformed.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("Enter the 6-digit code from the text message.", problem.GetProperty("errors").GetProperty("code")[0].GetString());

        var code = twilio.LastCodeSentTo(Number);
        var confirmed = await operatorClient.PostAsJsonAsync($"{path}/confirm", new { code }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal("verified", (await confirmed.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("state").GetString());

        var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        var list = await viewer.GetFromJsonAsync<JsonElement>($"/api/integrations/{id}/recipients", TestContext.Current.CancellationToken);
        Assert.Equal("verified", list[0].GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"{path}/code", null, TestContext.Current.CancellationToken)).StatusCode);
        Assert.DoesNotContain(IntegrationSeeds.TwilioToken, list.GetRawText(), StringComparison.Ordinal);
    }
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class RecipientsApiOnPostgreSQLTests(SetUpPortalFixture portal) : RecipientsApiTests(portal);
