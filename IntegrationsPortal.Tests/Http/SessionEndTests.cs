using System.Net;
using System.Net.Http.Json;
using IntegrationsPortal.Features.Settings;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

/// <summary>A copied session cookie stops working the moment the session is ended, not minutes later.</summary>
[Collection(SetUpPortalCollection.Name)]
public class SessionEndTests(SetUpPortalFixture portal)
{
    [Fact]
    public async Task CopiedCookie_StopsWorking_RightAfterSignOut()
    {
        var cookies = await NewSessionAsync("signout-copy@acme.test");
        using var browser = ClientWith(cookies);
        using var copy = ClientWith(cookies);
        // The sign-in page renders its form statically; the token it carries is bound to the signed-in user.
        var page = await browser.GetStringAsync("/account/login", TestContext.Current.CancellationToken);

        var signOut = await browser.PostFormAsync("/account/logout", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
        }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task CopiedCookie_StopsWorking_RightAfterARoleChange()
    {
        using var copy = ClientWith(await NewSessionAsync("demoted@acme.test"));
        var userId = await UserIdAsync("demoted@acme.test");
        using var admin = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        var change = await admin.PutAsJsonAsync($"/api/users/{userId}/role", new { role = "Viewer" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task CopiedCookie_StopsWorking_RightAfterDisabling()
    {
        using var copy = ClientWith(await NewSessionAsync("disabled@acme.test"));
        var userId = await UserIdAsync("disabled@acme.test");

        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            await scope.ServiceProvider.GetRequiredService<SettingsService>().SetDisabledAsync(userId, disabled: true, TestContext.Current.CancellationToken);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task CopiedCookie_StopsWorking_RightAfterAPasswordChange_WhileThisSessionGoesOn()
    {
        var cookies = await NewSessionAsync("new-password@acme.test");
        using var browser = ClientWith(cookies);
        using var copy = ClientWith(cookies);

        var wrong = await browser.PostAsJsonAsync("/api/me/password", new { currentPassword = "not-my-password", newPassword = "Another long pass 42" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        Assert.Contains("The current password is not right.", await wrong.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);

        var changed = await browser.PostAsJsonAsync("/api/me/password", new { currentPassword = TestPasswords.Strong, newPassword = "Another long pass 42" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
        var renewed = changed.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("portal.auth=", StringComparison.Ordinal)).Split(';')[0];
        using var continued = ClientWith(renewed);
        Assert.Equal(HttpStatusCode.OK, (await continued.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>Signs a new Operator in and returns the session's cookies (auth and antiforgery), checked to work.</summary>
    private async Task<string> NewSessionAsync(string email)
    {
        await portal.App.Services.AddUserAsync(portal.Acme, email, "Operator");
        using var client = ClientWith("");
        var response = await SignInWithoutCookieJarAsync(client, email);
        var cookies = string.Join("; ", response.RequestMessage!.Headers.GetValues("Cookie")
            .Concat(response.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith("portal.auth=", StringComparison.Ordinal)).Select(c => c.Split(';')[0])));
        using var check = ClientWith(cookies);
        Assert.Equal(HttpStatusCode.OK, (await check.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
        return cookies;
    }

    private HttpClient ClientWith(string cookies)
    {
        var client = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (cookies.Length > 0)
        {
            client.DefaultRequestHeaders.Add("Cookie", cookies);
        }

        return client;
    }

    private static string AntiforgeryToken(string html) =>
        WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);

    private static async Task<HttpResponseMessage> SignInWithoutCookieJarAsync(HttpClient client, string email)
    {
        var page = await client.GetAsync("/account/login", TestContext.Current.CancellationToken);
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]);
        var token = AntiforgeryToken(await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = email,
                ["Input.Password"] = TestPasswords.Strong,
            }),
        };
        request.Headers.Add("Cookie", string.Join("; ", antiforgeryCookie));
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = portal.App.Services.AsAdmin(portal.Acme);
        var users = await scope.ServiceProvider.GetRequiredService<SettingsService>().ListUsersAsync(TestContext.Current.CancellationToken);
        return users.Single(u => u.Email == email).Id;
    }
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class SessionEndOnPostgreSQLTests(SetUpPortalFixture portal) : SessionEndTests(portal);
