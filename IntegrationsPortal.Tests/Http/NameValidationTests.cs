using System.Net;
using System.Net.Http.Json;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public sealed class NameValidationTests(SetUpPortalFixture portal)
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

    private sealed record ValidationProblem(Dictionary<string, string[]> Errors);
}
