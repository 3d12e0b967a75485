using System.Net;
using System.Net.Http.Json;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class NameValidationTests(SetUpPortalFixture portal)
{
    [Theory]
    [InlineData("Acme\0Energy")]
    [InlineData("Acme\r\nX-Injected: yes")]
    [InlineData("Acme \u202Eexe.pdf")]
    [InlineData("Acme \u2066Energy\u2069")]
    public async Task OrganizationName_WithControlOrDirectionCharacters_Is422OnTheField(string name)
    {
        using var client = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        var response = await client.PutAsJsonAsync("/api/organization", new { name }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblem>(TestContext.Current.CancellationToken);
        Assert.Contains("control or text-direction", Assert.Single(problem!.Errors["name"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaceName_WithANul_Is422()
    {
        using var client = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        var response = await client.PostAsJsonAsync("/api/places", new { name = "Roof\0top", timeZone = "Europe/Berlin" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Theory]
    [InlineData("Hook\0one")]
    [InlineData("Hook\r\nX-Injected: yes")]
    [InlineData("Hook \u202Eexe.pdf")]
    public async Task IntegrationName_WithControlOrDirectionCharacters_Is422OnTheField_OnCreateAndRename_AndNothingChanges(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var marker = $"Ctl-{Guid.NewGuid():N}";
        var webhook = new Dictionary<string, string> { ["url"] = "http://127.0.0.1:1/hook", ["auth"] = "NONE" };

        var create = await client.PostAsJsonAsync("/api/integrations", new { typeKey = "webhook", name = marker + name, properties = webhook }, ct);
        var kept = await client.PostAsJsonAsync("/api/integrations", new { typeKey = "webhook", name = marker + " kept", properties = webhook }, ct);
        var path = $"/api/integrations/{(await kept.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("id").GetString()}";
        var rename = await client.PutAsJsonAsync(path, new { name = marker + name, properties = webhook }, ct);

        foreach (var refused in new[] { create, rename })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<ValidationProblem>(ct);
            Assert.Contains("control or text-direction", Assert.Single(problem!.Errors["name"]), StringComparison.Ordinal);
        }

        var list = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/integrations?search={marker}", ct);
        Assert.Equal([marker + " kept"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
    }

    private sealed record ValidationProblem(Dictionary<string, string[]> Errors);
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class NameValidationOnPostgreSQLTests(SetUpPortalFixture portal) : NameValidationTests(portal);
