using Microsoft.Extensions.DependencyInjection;
using System.Text;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Http;

namespace IntegrationsPortal.Tests.Features.Delivery;

public class WebhookDeliveryTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Fact]
    public async Task Webhook_BasicAuth_ReceiverChecksSignatureAndAuth()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new()
        {
            ["url"] = new Uri(receiver.Url, "hooks").ToString(), ["auth"] = "BASIC", ["username"] = "hook", ["password"] = "hook-password-1",
            ["signing_secret"] = Secret, ["headers"] = """{"X-Tenant":"acme"}""",
        });

        var messageId = await harness.EnqueueAsync(id, """{"reading":42}""");
        await harness.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("hook:hook-password-1")), request.Headers["Authorization"]);
        Assert.Equal("acme", request.Headers["X-Tenant"]);
        Assert.Equal(messageId.ToString(), request.Headers["webhook-id"]);
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(request.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(harness.Clock.GetUtcNow().ToUnixTimeSeconds(), timestamp.ToUnixTimeSeconds());
        Assert.Equal(WebhookSignature.Sign(Secret, messageId.ToString(), timestamp, request.Body), request.Headers["webhook-signature"]);
        Assert.Equal("""{"reading":42}""", request.Body);

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        var attempt = Assert.Single(detail.Attempts);
        Assert.True(attempt.Succeeded);
        Assert.Equal(200, attempt.StatusCode);
        Assert.Contains("Authorization: [redacted]", attempt.RequestHeaders, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-password-1", attempt.RequestHeaders, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_ReceiverEchoingTheRequest_ViewerSeesNoCredentialInAnyEncodingInTheHistory()
    {
        const string password = "hook pa$$/word+1";
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("hook:" + password));
        await using var receiver = await LoopbackReceiver.StartAsync();
        // A careless receiver: answers with everything it was sent, in JSON (which escapes '+' and '='),
        // in a header, and URL-encoded in a link.
        receiver.Respond = async (context, request) =>
        {
            context.Response.Headers["X-Echo-Authorization"] = request.Headers["Authorization"];
            await context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new
            {
                headers = request.Headers,
                retry = "https://receiver.example/retry?password=" + Uri.EscapeDataString(password),
                token = Convert.ToBase64String(Encoding.UTF8.GetBytes(password)),
            }));
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new()
        {
            ["url"] = new Uri(receiver.Url, "hooks").ToString(), ["auth"] = "BASIC", ["username"] = "hook", ["password"] = password,
        });
        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync();
        Assert.Equal("Basic " + basic, Assert.Single(receiver.Requests).Headers["Authorization"]);

        var viewerId = await harness.Services.AddUserAsync(harness.Tenant, "vera@acme.test", PortalRoles.Viewer);
        DeliveryDetail detail;
        await using (var viewer = harness.Services.AsUser(harness.Tenant.OrganizationId, viewerId, "vera@acme.test", PortalRoles.Viewer))
        {
            detail = await viewer.ServiceProvider.GetRequiredService<DeliveryService>().GetAsync(messageId, TestContext.Current.CancellationToken);
        }

        var attempt = Assert.Single(detail.Attempts);
        Assert.Contains("X-Echo-Authorization", attempt.ResponseHeaders, StringComparison.Ordinal);
        var recorded = string.Join("\n", attempt.RequestHeaders, attempt.RequestBody, attempt.ResponseHeaders, attempt.ResponseBody, attempt.ErrorMessage, attempt.Note);
        Assert.Contains(SecretRedactor.Mask, attempt.ResponseBody, StringComparison.Ordinal);
        foreach (var form in new[]
        {
            password, basic.TrimEnd('='), System.Text.Json.JsonEncodedText.Encode(basic).ToString()[..20],
            Uri.EscapeDataString(password), Convert.ToBase64String(Encoding.UTF8.GetBytes(password)).TrimEnd('='),
        })
        {
            Assert.DoesNotContain(form, recorded, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Webhook_Digest_AnswersTheChallengeAndSendsTheBodyAgain()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = async (context, request) =>
        {
            if (await DigestChallenge.CheckAsync(context, request, "hook", "digest-password-1"))
            {
                await context.Response.WriteAsync("{\"ok\":true}");
            }
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new()
        {
            ["url"] = receiver.Url.ToString(), ["auth"] = "DIGEST", ["username"] = "hook", ["password"] = "digest-password-1",
        });

        var messageId = await harness.EnqueueAsync(id, """{"alarm":"high"}""");
        await harness.DispatchAsync();

        var requests = receiver.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.DoesNotContain(requests, r => r.Headers.GetValueOrDefault("Authorization", "").StartsWith("Basic", StringComparison.Ordinal));
        Assert.All(requests, r => Assert.Equal("""{"alarm":"high"}""", r.Body));
        Assert.StartsWith("Digest ", requests[1].Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(messageId)).Message.Status);
    }

    [Fact]
    public async Task Webhook_SigningSecret_IsGeneratedAndRotationSignsWithBothDuringGrace()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        Assert.True((await harness.IntegrationAsync(id)).SecretsSet["signing_secret"]);

        await harness.AsAdminAsync(async sp =>
        {
            await sp.GetRequiredService<IntegrationSecrets>().RotateSigningSecretAsync(id);
            return 0;
        });
        await harness.EnqueueAsync(id);
        await harness.DispatchAsync();
        Assert.Equal(2, receiver.Requests.Single().Headers["webhook-signature"].Split(' ').Length);

        harness.Clock.Advance(TimeSpan.FromHours(25));
        await harness.EnqueueAsync(id);
        await harness.DispatchAsync();
        Assert.Single(receiver.Requests.Last().Headers["webhook-signature"].Split(' '));
    }
}

/// <summary>Webhook delivery through the outbox on PostgreSQL.</summary>
[OnPostgreSQL]
public sealed class WebhookDeliveryOnPostgreSQLTests : WebhookDeliveryTests;
