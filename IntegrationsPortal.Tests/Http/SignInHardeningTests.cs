using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class SignInHardeningTests(SetUpPortalFixture portal)
{
    [Fact]
    public async Task SignIn_WithANonAsciiReturnUrl_LandsOnThePortal_Not500()
    {
        using var client = NewClient();

        var response = await PortalAppFactory.SignInAsync(client, SetUpPortalFixture.ViewerEmail, TestPasswords.Strong, "?returnUrl=%2F%E3%80%82%2Fevil.example");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString.Replace("http://localhost", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownAccount_TakesAsLongAsAKnownOneWithAWrongPassword()
    {
        const string email = "timing@acme.test";
        await portal.App.Services.AddUserAsync(portal.Acme, email, "Viewer");
        using var client = NewClient();

        // The fastest of three each (under the lockout's five): the least disturbed by other work on the machine.
        var known = await FastestSignInAsync(client, email);
        var unknown = await FastestSignInAsync(client, "nobody-here@acme.test");

        // Both hash the password (tens of milliseconds); without that an unknown account answered ten times faster.
        Assert.True(unknown >= known / 3, $"unknown account {unknown.TotalMilliseconds} ms, known {known.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task AddingAUser_WithACommonPassword_Is422OnThePasswordField()
    {
        using var client = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        var response = await client.PostAsJsonAsync("/api/users",
            new { displayName = "Pat", email = "pat@acme.test", role = "Viewer", password = "password1234" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblem>(TestContext.Current.CancellationToken);
        Assert.Contains("commonly used", Assert.Single(problem!.Errors["password"]), StringComparison.Ordinal);
    }

    private static async Task<TimeSpan> FastestSignInAsync(HttpClient client, string email)
    {
        var fastest = TimeSpan.MaxValue;
        var token = await PortalAppFactory.AntiforgeryTokenAsync(client, "/account/login");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostFormAsync("/account/login", new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = email,
                ["Input.Password"] = "not-the-password-" + attempt,
            }, TestContext.Current.CancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            fastest = elapsed < fastest ? elapsed : fastest;
        }

        return fastest;
    }

    private HttpClient NewClient() => portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private sealed record ValidationProblem(Dictionary<string, string[]> Errors);
}

/// <summary>A portal of its own with a low sign-in rate limit.</summary>
public sealed class SignInRateLimitTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new() { SignInAttemptsPerAddress = 3 };

    public async ValueTask InitializeAsync() => await _app.Services.SetUpFirstOrganizationAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task SignIns_BeyondTheLimitFromOneAddress_Are429_WithRetryAfter()
    {
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Different accounts, so the per-account lockout is not what stops them.
            var allowed = await PortalAppFactory.SignInAsync(client, $"guess{attempt}@acme.test", "password-guess-1");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var refused = await PortalAppFactory.SignInAsync(client, "admin@acme.test", TestPasswords.Strong);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
    }
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class SignInHardeningOnPostgreSQLTests(SetUpPortalFixture portal) : SignInHardeningTests(portal);
