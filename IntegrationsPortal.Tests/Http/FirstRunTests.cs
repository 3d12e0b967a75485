using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IntegrationsPortal.Tests.Http;

/// <summary>A portal with no users at all, as after the first start.</summary>
public class FirstRunTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task BeforeSetup_PagesLeadToSetup_AndTheApiSaysWhy()
    {
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await client.GetAsync("/integrations", TestContext.Current.CancellationToken);
        var login = await client.GetAsync("/account/login", TestContext.Current.CancellationToken);
        var api = await client.GetAsync("/api/me", TestContext.Current.CancellationToken);

        Assert.Equal("/setup", page.Headers.Location!.OriginalString);
        Assert.Equal("/setup", login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
    }

    [Fact]
    public async Task SetupForm_CreatesTheAdministrator_AndSignsIn()
    {
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await PostSetupAsync(client, confirmPassword: TestPasswords.Strong);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal("/account/login", (await client.GetAsync("/setup", TestContext.Current.CancellationToken)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SetupForm_WithMismatchedPasswords_ShowsTheErrorByTheField_AndCreatesNothing()
    {
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await PostSetupAsync(client, confirmPassword: "something-else-entirely");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("The passwords do not match.", html, StringComparison.Ordinal);
        Assert.DoesNotContain(TestPasswords.Strong, html, StringComparison.Ordinal);
        Assert.Equal("/setup", (await client.GetAsync("/integrations", TestContext.Current.CancellationToken)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SetupForm_WithACommonPassword_RefusesIt_AndDoesNotEchoIt()
    {
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await PostSetupAsync(client, confirmPassword: "Qwerty123456", password: "Qwerty123456");

        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("commonly used passwords", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Qwerty123456", html, StringComparison.Ordinal);
        Assert.Equal("/setup", (await client.GetAsync("/integrations", TestContext.Current.CancellationToken)).Headers.Location!.OriginalString);
    }

    /// <summary>Posts the setup form as a browser would, antiforgery token included.</summary>
    private static async Task<HttpResponseMessage> PostSetupAsync(HttpClient client, string confirmPassword, string password = TestPasswords.Strong)
    {
        var token = await PortalAppFactory.AntiforgeryTokenAsync(client, "/setup");
        return await client.PostFormAsync("/setup", new Dictionary<string, string>
        {
            ["_handler"] = "setup",
            ["__RequestVerificationToken"] = token,
            ["Input.OrganizationName"] = "Acme Energy",
            ["Input.DisplayName"] = "Ada Admin",
            ["Input.Email"] = "ada@acme.test",
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = confirmPassword,
        }, TestContext.Current.CancellationToken);
    }
}

[OnPostgreSQL]
public sealed class FirstRunOnPostgreSQLTests : FirstRunTests;
