using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public sealed class SecurityHeadersTests(SetUpPortalFixture portal)
{
    [Fact]
    public async Task Csp_AllowsThePagesOwnImportMapByNonce_AndWebSocketsOnlyToThisOrigin()
    {
        using var client = portal.App.CreateClient();

        var response = await client.GetAsync("/account/login", TestContext.Current.CancellationToken);

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var nonce = Regex.Match(html, "<script[^>]*type=\"importmap\"[^>]*nonce=\"([^\"]+)\"|<script[^>]*nonce=\"([^\"]+)\"[^>]*type=\"importmap\"");
        Assert.True(nonce.Success, "the import map carries a nonce");
        var attribute = nonce.Groups[1].Value + nonce.Groups[2].Value;
        Assert.Matches("^[A-Za-z0-9_-]{22}$", attribute); // written as it is: nothing in it for HTML to encode
        Assert.Contains($"'nonce-{attribute}'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("ws:", csp, StringComparison.Ordinal);
        Assert.Equal("same-origin", response.Headers.GetValues("Cross-Origin-Opener-Policy").Single());
        Assert.Contains("camera=()", response.Headers.GetValues("Permissions-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nonce_IsNewOnEveryResponse()
    {
        using var client = portal.App.CreateClient();

        var first = (await client.GetAsync("/account/login", TestContext.Current.CancellationToken)).Headers.GetValues("Content-Security-Policy").Single();
        var second = (await client.GetAsync("/account/login", TestContext.Current.CancellationToken)).Headers.GetValues("Content-Security-Policy").Single();

        Assert.NotEqual(first, second);
    }
}

/// <summary>The portal on a real Kestrel port behind a (pretend) TLS-terminating proxy on loopback.</summary>
public sealed class BehindProxyTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new()
    {
        Settings = { ["Portal:Proxy:KnownNetworks:0"] = "127.0.0.0/8", ["Portal:Proxy:HttpsRedirect"] = "true" },
    };

    private Uri _root = default!;

    public async ValueTask InitializeAsync()
    {
        _root = _app.StartOnLoopback();
        await _app.Services.SetUpFirstOrganizationAsync();
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task PlainHttp_FromTheProxy_IsRedirectedToHttps_WithoutAServerHeader()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = _root };

        var response = await client.GetAsync("/account/login", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https", response.Headers.Location!.Scheme);
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task HttpsAtTheProxy_GetsSecureCookies_AndNoRedirect()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = _root };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");

        var response = await client.GetAsync("/account/login", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var antiforgery = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Server"));
    }
}
