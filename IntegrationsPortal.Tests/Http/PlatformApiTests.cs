using System.Net;
using System.Net.Http.Json;
using IntegrationsPortal.Features.Platform;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class PlatformApiTests(SetUpPortalFixture portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task PlatformAdministrator_CreatesRenamesSuspendsAndResumesAnOrganization()
    {
        using var client = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var name = Unique("Globex");

        var created = await client.PostAsJsonAsync("/api/platform/organizations", new { name }, Ct);
        var id = (await created.Content.ReadFromJsonAsync<CreatedResponse>(Ct))!.Id;
        var renamed = await client.PutAsJsonAsync($"/api/platform/organizations/{id}", new { name = name + " Water" }, Ct);
        var suspended = await client.PostAsync($"/api/platform/organizations/{id}/suspend", null, Ct);
        var suspendedAgain = await client.PostAsync($"/api/platform/organizations/{id}/suspend", null, Ct);
        var listed = await client.GetFromJsonAsync<List<OrganizationOverview>>("/api/platform/organizations", Ct);
        var resumed = await client.PostAsync($"/api/platform/organizations/{id}/resume", null, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, renamed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, suspended.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, suspendedAgain.StatusCode);
        var row = Assert.Single(listed!, o => o.Id == id);
        Assert.Equal((name + " Water", true), (row.Name, row.IsSuspended));
        Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
    }

    [Fact]
    public async Task Create_WithoutAName_Is422WithTheFieldError_AndCreatesNothing()
    {
        using var client = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var before = (await client.GetFromJsonAsync<List<OrganizationOverview>>("/api/platform/organizations", Ct))!.Count;

        var response = await client.PostAsJsonAsync("/api/platform/organizations", new { name = "  " }, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("Name your organization.", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetFromJsonAsync<List<OrganizationOverview>>("/api/platform/organizations", Ct))!.Count);
    }

    [Theory]
    [InlineData(SetUpPortalFixture.OperatorEmail)]
    [InlineData(SetUpPortalFixture.ViewerEmail)]
    public async Task UserWhoIsNotPlatformAdministrator_Is403_OnThePlatformApiAndPage(string email)
    {
        using var client = await portal.App.SignedInClientAsync(email);

        var api = await client.PostAsJsonAsync("/api/platform/organizations", new { name = Unique("Rogue") }, Ct);
        var page = await client.GetAsync("/platform", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/access-denied", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuspendedOrganization_ItsOpenSessionEnds_AndItsUsersCannotSignIn_UntilResumed()
    {
        var email = $"boss-{Guid.NewGuid():N}@globex.test";
        var globex = await portal.App.Services.CreateOrganizationAsync(Unique("Globex"), email);
        using var member = await portal.App.SignedInClientAsync(email);
        using var platform = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        await platform.PostAsync($"/api/platform/organizations/{globex.OrganizationId}/suspend", null, Ct);
        var openSession = await member.GetAsync("/api/me", Ct);
        using var fresh = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var signIn = await PortalAppFactory.SignInAsync(fresh, email, TestPasswords.Strong);
        await platform.PostAsync($"/api/platform/organizations/{globex.OrganizationId}/resume", null, Ct);
        using var afterResume = await portal.App.SignedInClientAsync(email);

        Assert.Equal(HttpStatusCode.Unauthorized, openSession.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("Your organization is suspended.", await signIn.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await afterResume.GetAsync("/api/me", Ct)).StatusCode);
    }

    private sealed record CreatedResponse(Guid Id);
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class PlatformApiOnPostgreSQLTests(SetUpPortalFixture portal) : PlatformApiTests(portal);
