using System.Net;
using System.Net.Http.Json;
using IntegrationsPortal.Tests.Http;

namespace IntegrationsPortal.Tests.Features.Resources;

[Collection(SetUpPortalCollection.Name)]
public class ResourcesApiTests(SetUpPortalFixture portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Viewer_CreatingAPlace_Is403()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);

        var response = await client.PostAsJsonAsync("/api/places", new { name = "Vera's shed", timeZone = "UTC" }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var tree = await client.GetFromJsonAsync<List<PlaceResponse>>("/api/places", Ct);
        Assert.DoesNotContain(tree!, p => p.Name == "Vera's shed");
    }

    [Fact]
    public async Task Operator_BuildsATree_AndAViewerReadsIt()
    {
        using var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        using var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);

        var site = await CreatedIdAsync(await operatorClient.PostAsJsonAsync("/api/places", new { name = "API site", timeZone = "Europe/Berlin" }, Ct));
        var floor = await CreatedIdAsync(await operatorClient.PostAsJsonAsync("/api/places", new { name = "API floor", parentId = site, timeZone = "UTC" }, Ct));
        var device = await operatorClient.PostAsJsonAsync("/api/devices", new { name = "API meter", placeId = floor, deviceType = "meter" }, Ct);
        Assert.Equal(HttpStatusCode.Created, device.StatusCode);

        var tree = await viewer.GetFromJsonAsync<List<PlaceResponse>>("/api/places", Ct);
        var node = Assert.Single(tree!, p => p.Id == site);
        Assert.Equal(("API floor", 1), (node.Children.Single().Name, node.Children.Single().DeviceCount));
        var check = await viewer.GetFromJsonAsync<CheckResponse>($"/api/resources/validate?path=places/{floor}", Ct);
        Assert.True(check!.IsValid);
    }

    [Fact]
    public async Task MovingAPlaceIntoItsChild_Is422_WithTheReason()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var site = await CreatedIdAsync(await client.PostAsJsonAsync("/api/places", new { name = "Loop site", timeZone = "UTC" }, Ct));
        var child = await CreatedIdAsync(await client.PostAsJsonAsync("/api/places", new { name = "Loop child", parentId = site, timeZone = "UTC" }, Ct));

        var response = await client.PostAsJsonAsync($"/api/places/{site}/move", new { parentId = child }, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("which is inside it", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingAPopulatedPlace_Is409_UntilCascadeIsAsked()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var site = await CreatedIdAsync(await client.PostAsJsonAsync("/api/places", new { name = "Doomed site", timeZone = "UTC" }, Ct));
        await client.PostAsJsonAsync("/api/places", new { name = "Doomed floor", parentId = site, timeZone = "UTC" }, Ct);

        var refused = await client.DeleteAsync($"/api/places/{site}", Ct);
        var cascaded = await client.DeleteAsync($"/api/places/{site}?cascade=true", Ct);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, cascaded.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/places/{site}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Mappings_OfAnUnknownIntegration_Are404_WithTheDefaultRules()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);

        var response = await client.GetAsync($"/api/integrations/{Guid.CreateVersion7()}/mappings", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("The integration was not found.", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static async Task<Guid> CreatedIdAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedResponse>(Ct))!.Id;
    }

    private sealed record CreatedResponse(Guid Id);

    private sealed record PlaceResponse(Guid Id, string Name, int DeviceCount, List<PlaceResponse> Children);

    private sealed record CheckResponse(bool IsValid, string Message);
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class ResourcesApiOnPostgreSQLTests(SetUpPortalFixture portal) : ResourcesApiTests(portal);
