using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.ApiKeys;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

/// <summary>The portal with a clock the tests move and a small per-key limit (5 requests an hour).</summary>
public sealed class ApiKeyPortalFactory : PortalAppFactory
{
    public const int PermitsPerWindow = 5;

    // Starts now, so sign-in cookies issued on this clock look current.
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Portal:Api:PermitsPerWindow", PermitsPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Portal:Api:WindowSeconds", "3600");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed class ApiKeyPortalFixture : IAsyncLifetime
{
    public ApiKeyPortalFactory App { get; } = new();

    public Tenant Acme { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Acme = await App.Services.SetUpFirstOrganizationAsync();
        await App.Services.AddUserAsync(Acme, SetUpPortalFixture.ViewerEmail, PortalRoles.Viewer);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

/// <summary>API keys end to end: created by an admin, presented by a program, scoped, limited, revoked, expired.</summary>
public class ApiKeyTests(ApiKeyPortalFixture portal) : IClassFixture<ApiKeyPortalFixture>
{
    private const string Unreachable = "http://127.0.0.1:1/hook";

    private static readonly string[] ReadOnly = ["read"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreatedKey_IsShownOnce_ListedByPrefix_AndOnlyItsHashIsStored()
    {
        using var admin = await AdminAsync();

        var (id, key) = await CreateKeyAsync(admin, "Billing sync", ["read", "write"]);

        Assert.StartsWith("ipk_", key, StringComparison.Ordinal);
        var listed = await admin.GetStringAsync("/api/api-keys", Ct);
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        var row = Assert.Single(JsonDocument.Parse(listed).RootElement.EnumerateArray(), k => k.GetProperty("id").GetGuid() == id);
        Assert.Equal(key[..ApiKeyService.PrefixLength], row.GetProperty("prefix").GetString());
        Assert.Equal(["read", "write"], row.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("admin@acme.test", row.GetProperty("createdBy").GetString());

        await using var scope = portal.App.Services.AsAdmin(portal.Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var stored = await db.Set<ApiKey>().IgnoreQueryFilters().SingleAsync(k => k.Id == id, Ct);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)), stored.Hash);
        Assert.DoesNotContain(key, string.Join("|", stored.Name, stored.Prefix, stored.CreatedBy, Convert.ToBase64String(stored.Hash)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ipk_notakeyatallnotakeyatallnotakeyatall0000")]
    [InlineData("hunter2")]
    public async Task V2_WithoutAValidKey_Is401(string? presented)
    {
        using var client = portal.App.CreateClient();
        if (presented is not null)
        {
            client.DefaultRequestHeaders.Add(ApiKeyDefaults.V2Header, presented);
        }

        var response = await client.GetAsync("/v2/integrations", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task V2_KeyInTheBearerHeader_Is401_BecauseV2ReadsXApiKey()
    {
        using var admin = await AdminAsync();
        var (_, key) = await CreateKeyAsync(admin, "Wrong header", ["read"]);
        using var client = portal.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v2/integrations", Ct)).StatusCode);
    }

    [Fact]
    public async Task SignedInCookie_DoesNotAuthorizeV2()
    {
        using var admin = await AdminAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("/v2/integrations", Ct)).StatusCode);
    }

    [Fact]
    public async Task ReadOnlyKey_Reads_ButWriting_Is403_AndCreatesNothing()
    {
        using var admin = await AdminAsync();
        var (_, key) = await CreateKeyAsync(admin, "Dashboard", ["read"]);
        using var program = KeyClient(key);

        Assert.Equal(HttpStatusCode.OK, (await program.GetAsync("/v2/integrations", Ct)).StatusCode);
        var write = await program.PostAsJsonAsync("/v2/integrations", Webhook("Read-only key's hook"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.DoesNotContain("Read-only key's hook", await admin.GetStringAsync("/api/integrations?take=200", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteKey_ActsAsItsOrganization_AndTheWriteIsAudited()
    {
        using var admin = await AdminAsync();
        var (_, key) = await CreateKeyAsync(admin, "Provisioner", ["read", "write"]);
        using var program = KeyClient(key);

        var created = await program.PostAsJsonAsync("/v2/integrations", Webhook("Provisioned hook"), Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("Provisioned hook", await admin.GetStringAsync("/api/integrations?take=200", Ct), StringComparison.Ordinal);
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?take=500", Ct);
        var entry = Assert.Single(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "api_key.write"
            && e.GetProperty("actor").GetString()!.Contains("Provisioner", StringComparison.Ordinal));
        Assert.Equal("POST /v2/integrations -> 201", entry.GetProperty("details").GetString());
        Assert.DoesNotContain(key, audit.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKey_Is401_OnTheNextRequest()
    {
        using var admin = await AdminAsync();
        var (id, key) = await CreateKeyAsync(admin, "Leaked", ["read"]);
        using var program = KeyClient(key);
        Assert.Equal(HttpStatusCode.OK, (await program.GetAsync("/v2/integrations", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/api-keys/{id}", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await program.GetAsync("/v2/integrations", Ct)).StatusCode);
    }

    [Fact]
    public async Task KeyPastItsExpiry_Is401()
    {
        using var admin = await AdminAsync();
        var (_, key) = await CreateKeyAsync(admin, "Short-lived", ["read"], portal.App.Clock.GetUtcNow().AddHours(1));
        using var program = KeyClient(key);
        Assert.Equal(HttpStatusCode.OK, (await program.GetAsync("/v2/integrations", Ct)).StatusCode);

        portal.App.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await program.GetAsync("/v2/integrations", Ct)).StatusCode);
    }

    [Fact]
    public async Task ExpiryInThePast_IsRefusedOnTheField()
    {
        using var admin = await AdminAsync();

        var response = await admin.PostAsJsonAsync("/api/api-keys", new { name = "Stale", scopes = ReadOnly, expiresAt = portal.App.Clock.GetUtcNow().AddMinutes(-1) }, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("expiresAt", out _));
    }

    [Fact]
    public async Task Viewer_CannotCreateKeys()
    {
        using var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);

        var response = await viewer.PostAsJsonAsync("/api/api-keys", new { name = "Mine", scopes = ReadOnly }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task BusyKey_Gets429WithRetryAfter_WhileAnotherKeyIsUnaffected()
    {
        using var admin = await AdminAsync();
        var (_, busyKey) = await CreateKeyAsync(admin, "Busy", ["read"]);
        var (_, calmKey) = await CreateKeyAsync(admin, "Calm", ["read"]);
        using var busy = KeyClient(busyKey);
        for (var i = 0; i < ApiKeyPortalFactory.PermitsPerWindow; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/v2/integrations", Ct)).StatusCode);
        }

        var limited = await busy.GetAsync("/v2/integrations", Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        using var calm = KeyClient(calmKey);
        Assert.Equal(HttpStatusCode.OK, (await calm.GetAsync("/v2/integrations", Ct)).StatusCode);
    }

    [Fact]
    public async Task V1_ReadsTheBearerKey_AndListsProvidersInTheEnvelope_WithSensitiveFieldsMarked()
    {
        using var admin = await AdminAsync();
        var (_, key) = await CreateKeyAsync(admin, "Tenant app", ["read"]);
        using var anonymous = portal.App.CreateClient();
        using var program = portal.App.CreateClient();
        program.DefaultRequestHeaders.Authorization = new("Bearer", key);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/integrations/providers", Ct)).StatusCode);
        var body = await program.GetFromJsonAsync<JsonElement>("/api/v1/integrations/providers", Ct);

        Assert.True(body.GetProperty("success").GetBoolean());
        var stripe = Assert.Single(body.GetProperty("data").EnumerateArray(), p => p.GetProperty("name").GetString() == "stripe");
        Assert.Equal("payment", stripe.GetProperty("category").GetString());
        Assert.Equal(["initiate_payment", "process_refund", "verify_payment"], stripe.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.False(stripe.GetProperty("is_configured").GetBoolean());
        var schema = stripe.GetProperty("credential_schema");
        Assert.Contains(schema.EnumerateObject(), f => f.Value.GetProperty("sensitive").GetBoolean() && f.Value.GetProperty("required").GetBoolean());
        var twilio = Assert.Single(body.GetProperty("data").EnumerateArray(), p => p.GetProperty("name").GetString() == "twilio");
        Assert.Equal("communication", twilio.GetProperty("category").GetString());
    }

    private Task<HttpClient> AdminAsync() => portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

    private HttpClient KeyClient(string key)
    {
        var client = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(ApiKeyDefaults.V2Header, key);
        return client;
    }

    private static async Task<(Guid Id, string Key)> CreateKeyAsync(HttpClient admin, string name, string[] scopes, DateTimeOffset? expiresAt = null)
    {
        var response = await admin.PostAsJsonAsync("/api/api-keys", new { name, scopes, expiresAt }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (body.GetProperty("row").GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }

    private static object Webhook(string name) => new
    {
        type = "WEBHOOK",
        name,
        properties = new Dictionary<string, string> { ["url"] = Unreachable, ["auth"] = "NONE" },
    };
}

[OnPostgreSQL]
public sealed class ApiKeyOnPostgreSQLTests(ApiKeyPortalFixture portal) : ApiKeyTests(portal);
