using System.Net;
using System.Net.Http.Json;

namespace IntegrationsPortal.Tests.Http;

/// <summary>A page on another site (or another port of this host) cannot drive the API with the user's cookie.</summary>
[Collection(SetUpPortalCollection.Name)]
public sealed class CrossSiteRequestTests(SetUpPortalFixture portal)
{
    [Theory]
    [InlineData("Origin", "http://localhost:5001")]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task CookieWrite_FromAnotherSite_Is403Problem(string header, string value)
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/integrations/{Guid.NewGuid()}/verify");
        request.Headers.TryAddWithoutValidation(header, value);

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<Problem>(TestContext.Current.CancellationToken);
        Assert.Equal("Cross-site request refused", problem!.Title);
    }

    [Theory]
    [InlineData("Origin", "http://localhost")]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData(null, null)]
    public async Task CookieWrite_FromThePortalOrWithoutABrowser_GoesThrough(string? header, string? value)
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/integrations/{Guid.NewGuid()}/verify");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        // The request reached the endpoint, which does not know that integration.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CookieRead_FromAnotherSite_IsNotAffected()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed record Problem(string Title, int Status);
}
