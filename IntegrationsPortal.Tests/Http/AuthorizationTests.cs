using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class AuthorizationTests(SetUpPortalFixture portal)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/integrations")]
    [InlineData("/catalog")]
    [InlineData("/places")]
    [InlineData("/flows")]
    [InlineData("/deliveries")]
    [InlineData("/settings")]
    public async Task Anonymous_Page_RedirectsToSignIn_WithReturnUrl(string path)
    {
        using var client = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("ReturnUrl=" + Uri.EscapeDataString(path), response.Headers.Location.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_Api_Is401_NotARedirect()
    {
        using var client = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/api/me", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SignedInUser_ApiMe_SaysWhoAndWhichOrganization()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);

        var me = await client.GetFromJsonAsync<MeResponse>("/api/me", TestContext.Current.CancellationToken);

        Assert.Equal(new MeResponse(SetUpPortalFixture.ViewerEmail, "Acme Energy", "Viewer"), me);
    }

    [Theory]
    [InlineData(SetUpPortalFixture.ViewerEmail)]
    [InlineData(SetUpPortalFixture.OperatorEmail)]
    public async Task NonAdmin_AddingAUser_Is403_AndAddsNobody(string email)
    {
        using var client = await portal.App.SignedInClientAsync(email);

        var response = await client.PostAsJsonAsync("/api/users",
            new { displayName = "Mallory", email = "mallory@acme.test", role = "Admin", password = TestPasswords.Strong },
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var signIn = await PortalAppFactory.SignInAsync(
            portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), "mallory@acme.test", TestPasswords.Strong);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode); // the form again, with an error: no such user
    }

    [Fact]
    public async Task Viewer_RenamingTheOrganization_Is403()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);

        var response = await client.PutAsJsonAsync("/api/organization", new { name = "Vera Corp" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // A problem body, as every other refusal of the API has, not an empty 403.
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.Equal("Your role does not allow this.", problem.GetProperty("title").GetString());
        Assert.Contains("PUT /api/organization", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var organization = await client.GetFromJsonAsync<OrganizationResponse>("/api/organization", TestContext.Current.CancellationToken);
        Assert.Equal("Acme Energy", organization!.Name);
    }

    [Fact]
    public async Task Viewer_SettingsPage_ShowsNoUserManagement_AdminsDoes()
    {
        using var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        using var admin = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        var viewerHtml = await viewer.GetStringAsync("/settings", TestContext.Current.CancellationToken);
        var adminHtml = await admin.GetStringAsync("/settings", TestContext.Current.CancellationToken);

        Assert.DoesNotContain("Audit log", viewerHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("org-name-input", viewerHtml, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"org-name\"", viewerHtml, StringComparison.Ordinal);
        Assert.Contains("Audit log", adminHtml, StringComparison.Ordinal);
        Assert.Contains("org-name-input", adminHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_AddingAUserWithBadFields_Is422_WithAnErrorPerField()
    {
        using var client = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        var response = await client.PostAsJsonAsync("/api/users",
            new { displayName = "", email = "nope", role = "Root", password = "short" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblem>(TestContext.Current.CancellationToken);
        Assert.Equal(["displayName", "email", "password", "role"], problem!.Errors.Keys.Order());
    }

    [Fact]
    public async Task Admin_AddsAUser_WhoCanThenSignIn()
    {
        using var client = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        var response = await client.PostAsJsonAsync("/api/users",
            new { displayName = "Nia", email = "nia@acme.test", role = "Operator", password = TestPasswords.Strong },
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var nia = await portal.App.SignedInClientAsync("nia@acme.test");
        var me = await nia.GetFromJsonAsync<MeResponse>("/api/me", TestContext.Current.CancellationToken);
        Assert.Equal("Operator", me!.Role);
    }

    [Fact]
    public async Task Responses_CarrySecurityHeaders()
    {
        using var client = portal.App.CreateClient();

        var response = await client.GetAsync("/account/login", TestContext.Current.CancellationToken);

        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private sealed record MeResponse(string Name, string Organization, string Role);

    private sealed record OrganizationResponse(string Name);

    private sealed record ValidationProblem(Dictionary<string, string[]> Errors);
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class AuthorizationOnPostgreSQLTests(SetUpPortalFixture portal) : AuthorizationTests(portal);
