using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

/// <summary>
/// A webhook's signing secret reaches the operator who sets up the receiver: generated at creation
/// (returned once), returned by rotate, and revealed to Operators on request, each reveal audited.
/// </summary>
[Collection(SetUpPortalCollection.Name)]
public class SigningSecretApiTests(SetUpPortalFixture portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GeneratedSecret_IsReturnedOnce_RotateReturnsTheNewOne_AndRevealIsAuditedForOperatorsOnly()
    {
        CreatedIntegration created;
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            created = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateIssuingSecretAsync(new CreateIntegrationInput
            {
                TypeKey = "webhook", Name = "Signed receiver", Properties = new() { ["url"] = "https://receiver.example/hooks", ["auth"] = "NONE" },
            }, Ct);
        }

        Assert.StartsWith("whsec_", created.IssuedSigningSecret, StringComparison.Ordinal);
        var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);

        var revealed = await SecretAsync(operatorClient, $"/api/integrations/{created.Id}/signing-secret/reveal");
        Assert.Equal(created.IssuedSigningSecret, revealed);

        var rotated = await SecretAsync(operatorClient, $"/api/integrations/{created.Id}/signing-secret/rotate");
        Assert.StartsWith("whsec_", rotated, StringComparison.Ordinal);
        Assert.NotEqual(created.IssuedSigningSecret, rotated);
        Assert.Equal(rotated, await SecretAsync(operatorClient, $"/api/integrations/{created.Id}/signing-secret/reveal"));

        var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/integrations/{created.Id}/signing-secret/reveal", null, Ct)).StatusCode);

        var admin = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?take=500", Ct);
        var reveals = audit.EnumerateArray().Where(e => e.GetProperty("action").GetString() == "integration.signing_secret_revealed"
            && e.GetProperty("details").GetString() == "Revealed the signing secret of 'Signed receiver'.").ToList();
        Assert.Equal(2, reveals.Count);
        Assert.All(reveals, e => Assert.Contains(SetUpPortalFixture.OperatorEmail, e.GetProperty("actor").GetString(), StringComparison.Ordinal));
        Assert.DoesNotContain(rotated, audit.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<string> SecretAsync(HttpClient client, string path)
    {
        var response = await client.PostAsync(path, null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SigningSecretOutput>(Ct))!.SigningSecret;
    }
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class SigningSecretApiOnPostgreSQLTests(SetUpPortalFixture portal) : SigningSecretApiTests(portal);
