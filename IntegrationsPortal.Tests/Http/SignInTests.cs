using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class SignInTests(SetUpPortalFixture portal)
{
    [Fact]
    public async Task WrongPassword_ShowsOneVagueError_AndNoCookie()
    {
        using var client = NewClient();

        var response = await PortalAppFactory.SignInAsync(client, SetUpPortalFixture.ViewerEmail, "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not right.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("portal.auth", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task FiveFailedAttempts_LockTheAccount_EvenAgainstTheRightPassword()
    {
        const string email = "lockme@acme.test";
        await portal.App.Services.AddUserAsync(portal.Acme, email, "Viewer");
        using var client = NewClient();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await PortalAppFactory.SignInAsync(client, email, "wrong-password-" + attempt);
        }

        var response = await PortalAppFactory.SignInAsync(client, email, TestPasswords.Strong);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("locked", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithExternalReturnUrl_LandsOnThePortal()
    {
        using var client = NewClient();

        var response = await PortalAppFactory.SignInAsync(client, SetUpPortalFixture.ViewerEmail, TestPasswords.Strong, "?returnUrl=//evil.example/steal");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("localhost", response.Headers.Location!.Host);
        Assert.Equal("/", response.Headers.Location.AbsolutePath);
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_IsRefused_AndTheSessionStays()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);

        var response = await client.PostFormAsync("/account/logout", [], TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task SignOut_WithToken_EndsTheSession()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        // The sign-in page renders its form statically (the layout's sign-out form lives in a menu drawn only when opened).
        var token = await PortalAppFactory.AntiforgeryTokenAsync(client, "/account/login");

        var response = await client.PostFormAsync("/account/logout",
            new Dictionary<string, string> { ["__RequestVerificationToken"] = token }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task SetupPage_AfterSetup_SendsToSignIn()
    {
        using var client = NewClient();

        var response = await client.GetAsync("/setup", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location!.OriginalString);
    }

    private HttpClient NewClient() => portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class SignInOnPostgreSQLTests(SetUpPortalFixture portal) : SignInTests(portal);
