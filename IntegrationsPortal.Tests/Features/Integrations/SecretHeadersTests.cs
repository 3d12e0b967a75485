using System.Text.Json;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Integrations;

/// <summary>
/// Header values marked secret (an API token in a header): sealed in the vault, sent to the receiver,
/// kept by an unchanged save, asked for again when the destination moves, and never recorded.
/// </summary>
public sealed class SecretHeadersTests
{
    private const string Token = "tok_5ecret+Header/Value=";

    [Fact]
    public async Task Http_SecretHeader_ReachesTheReceiver_IsSealed_AndAnEchoOfItIsRedactedForAViewer()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        // A careless receiver that answers with the headers it got, raw and as JSON.
        receiver.Respond = async (context, request) =>
        {
            context.Response.Headers["X-Echo-Token"] = request.Headers["X-Api-Token"];
            await context.Response.WriteAsync(JsonSerializer.Serialize(request.Headers));
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("http", new()
        {
            ["url"] = new Uri(receiver.Url, "in").ToString(),
            ["headers"] = """{"X-Tenant":"acme"}""",
            ["secret_headers"] = JsonSerializer.Serialize(new Dictionary<string, string> { ["X-Api-Token"] = Token }),
        });

        var detail = await harness.IntegrationAsync(id);
        Assert.True(detail.SecretsSet["secret_headers"]);
        Assert.False(detail.Properties.ContainsKey("secret_headers"));
        Assert.DoesNotContain(Token, await StoredRowAsync(harness, id), StringComparison.Ordinal);

        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(Token, request.Headers["X-Api-Token"]);
        Assert.Equal("acme", request.Headers["X-Tenant"]);
        var viewerId = await harness.Services.AddUserAsync(harness.Tenant, "vic@acme.test", PortalRoles.Viewer);
        DeliveryDetail delivery;
        await using (var viewer = harness.Services.AsUser(harness.Tenant.OrganizationId, viewerId, "vic@acme.test", PortalRoles.Viewer))
        {
            delivery = await viewer.ServiceProvider.GetRequiredService<DeliveryService>().GetAsync(messageId, TestContext.Current.CancellationToken);
        }

        var attempt = Assert.Single(delivery.Attempts);
        Assert.Contains("X-Echo-Token", attempt.ResponseHeaders, StringComparison.Ordinal);
        var recorded = string.Join("\n", attempt.RequestHeaders, attempt.RequestBody, attempt.ResponseHeaders, attempt.ResponseBody, attempt.ErrorMessage, attempt.Note);
        Assert.Contains(SecretRedactor.Mask, attempt.ResponseBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, recorded, StringComparison.Ordinal);
        Assert.DoesNotContain(JsonEncodedText.Encode(Token).ToString(), recorded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_SavedWithoutTheSecretHeaders_KeepsThem_AMovedUrl_AsksForThemAgainNextToTheField()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var url = new Uri(receiver.Url, "hooks").ToString();
        var id = await harness.CreateAsync("webhook", new()
        {
            ["url"] = url, ["secret_headers"] = JsonSerializer.Serialize(new Dictionary<string, string> { ["X-Api-Token"] = Token }),
        });

        // The form saved as it was shown: the secret headers are not sent back, so they are kept.
        await UpdateAsync(harness, id, new() { ["url"] = url + "/v2", ["auth"] = "NONE" });
        await harness.EnqueueAsync(id);
        await harness.DispatchAsync();
        Assert.Equal(Token, Assert.Single(receiver.Requests).Headers["X-Api-Token"]);

        var moved = await Assert.ThrowsAsync<PortalException>(() => UpdateAsync(harness, id, new() { ["url"] = "https://collector.evil.test/in", ["auth"] = "NONE" }));

        Assert.Equal(PortalErrorKind.Validation, moved.Kind);
        Assert.Equal(["Enter the secret headers again: the destination changed."], moved.FieldErrors["secret_headers"]);
        Assert.Equal(url + "/v2", (await harness.IntegrationAsync(id)).Properties["url"]);
    }

    [Theory]
    [InlineData("""{"X Api Token":"x"}""", "'X Api Token' is not a header name")]
    [InlineData("""{"X-Api-Token":"a\r\nHost: evil.test"}""", "The value of X-Api-Token contains a line break")]
    [InlineData("""["X-Api-Token"]""", "Must be a JSON object of names to text values.")]
    public async Task Http_BadSecretHeaders_AreRefusedOnTheField_AndCreateNothing(string secretHeaders, string message)
    {
        await using var harness = await DeliveryHarness.StartAsync();

        var error = await Assert.ThrowsAsync<PortalException>(() => harness.CreateAsync("http", new()
        {
            ["url"] = "https://api.acme.test/in", ["secret_headers"] = secretHeaders,
        }, name: "Bad headers"));

        Assert.StartsWith(message, Assert.Single(error.FieldErrors["secret_headers"]), StringComparison.Ordinal);
        Assert.DoesNotContain("a\r\nHost", error.FieldErrors["secret_headers"][0], StringComparison.Ordinal);
    }

    private static Task UpdateAsync(DeliveryHarness harness, Guid id, Dictionary<string, string?> properties) =>
        harness.AsAdminAsync(async sp =>
        {
            await sp.GetRequiredService<IntegrationService>().UpdateAsync(id, new UpdateIntegrationInput { Name = "Receiver", Properties = properties });
            return 0;
        });

    // Everything stored for the integration in plain columns: its properties, secret names and the sealed blob as text.
    private static Task<string> StoredRowAsync(DeliveryHarness harness, Guid id) => harness.AsAdminAsync(async sp =>
    {
        await using var db = await sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var row = await db.Set<Integration>().AsNoTracking().SingleAsync(i => i.Id == id);
        var ciphertext = row.SecretsCiphertext ?? [];
        return JsonSerializer.Serialize(row.Properties) + string.Join(",", row.SecretNames) + Convert.ToBase64String(ciphertext) + System.Text.Encoding.UTF8.GetString(ciphertext);
    });
}
