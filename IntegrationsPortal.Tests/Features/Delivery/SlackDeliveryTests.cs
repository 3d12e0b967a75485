using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;

namespace IntegrationsPortal.Tests.Features.Delivery;

public sealed class SlackDeliveryTests
{
    [Fact]
    public async Task Slack_VerifiesWithoutPosting_ThenPostsTheMessagesText_AndNeverRecordsTheHookUrl()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("slack", new() { ["webhook_url"] = slack.HookUrl.ToString() });

        var verified = await harness.VerifyAsync(id);
        Assert.Equal(IntegrationStatus.Active, verified.Status);
        Assert.Empty(slack.Posted);
        Assert.Single(slack.Requests);

        var messageId = await harness.EnqueueAsync(id, """{"text":"Pump 3 <stopped> & restarted","severity":"warning"}""");
        await harness.DispatchAsync();

        Assert.Equal("Pump 3 &lt;stopped&gt; &amp; restarted", Assert.Single(slack.Posted));
        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        var attempt = Assert.Single(detail.Attempts);
        Assert.Equal("ok", attempt.ResponseBody);
        Assert.Equal($"{slack.BaseUri.GetLeftPart(UriPartial.Authority)}/[redacted]", attempt.Url);
        Assert.DoesNotContain("hooksecret", string.Join('|', attempt.Url, attempt.RequestHeaders, attempt.RequestBody), StringComparison.Ordinal);
        Assert.DoesNotContain("hooksecret", verified.LastError ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_PayloadWithoutText_PostsTheEventTypeOverTheCompactPayload()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("slack", new() { ["webhook_url"] = slack.HookUrl.ToString() });

        await harness.EnqueueAsync(id, """
            {
              "placeId": "site-001",
              "reading": { "kwh": 12.5 }
            }
            """);
        await harness.DispatchAsync();

        Assert.Equal("*meter.reading*\n```{\"placeId\":\"site-001\",\"reading\":{\"kwh\":12.5}}```", Assert.Single(slack.Posted));
    }

    [Theory]
    [InlineData(410, "channel_is_archived", "the channel is archived")]
    [InlineData(403, "invalid_token", "the webhook URL was revoked")]
    public async Task Slack_DeadHook_StopsTheIntegration_WithSlacksReason(int status, string error, string explanation)
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("slack", new() { ["webhook_url"] = slack.HookUrl.ToString() });
        await harness.VerifyAsync(id);
        slack.Failure = (status, error);

        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Dead, detail.Message.Status);
        Assert.Single(detail.Attempts);
        var integration = await harness.IntegrationAsync(id);
        Assert.Equal(IntegrationStatus.Error, integration.Status);
        Assert.Contains($"Slack answered {status} {error}: {explanation}", integration.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_RefusingTheMessage_IsFinal_AndTheIntegrationStaysActive()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("slack", new() { ["webhook_url"] = slack.HookUrl.ToString() });
        await harness.VerifyAsync(id);
        slack.Failure = (400, "invalid_payload");

        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Dead, detail.Message.Status);
        Assert.Equal("Slack answered 400 invalid_payload: Slack refused the message as malformed.", detail.Message.LastError);
        Assert.Equal(IntegrationStatus.Active, (await harness.IntegrationAsync(id)).Status);
    }

    [Fact]
    public async Task Slack_RateLimited_WaitsAndTriesAgain()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("slack", new() { ["webhook_url"] = slack.HookUrl.ToString() });
        slack.Failure = (429, "rate_limited");

        var messageId = await harness.EnqueueAsync(id, """{"text":"Door opened"}""");
        await harness.DispatchAsync();
        var waiting = await harness.DetailAsync(messageId);
        slack.Failure = null;
        harness.Clock.Advance(waiting.Message.NextAttemptAt!.Value - harness.Clock.GetUtcNow());
        await harness.DispatchAsync();

        Assert.Equal(DeliveryStatus.Failed, waiting.Message.Status);
        Assert.True(waiting.Message.NextAttemptAt - waiting.Message.CreatedAt >= RetryPolicy.ThrottleMinimum);
        Assert.Equal(DeliveryStatus.Delivered, (await harness.DetailAsync(messageId)).Message.Status);
        Assert.Equal("Door opened", Assert.Single(slack.Posted));
    }

    [Fact]
    public async Task Slack_RemovedHook_FailsVerification_SayingWhatToDo()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var id = await harness.CreateAsync("slack", new() { ["webhook_url"] = new Uri(slack.BaseUri, "services/T0FAKE001/B0GONE/removed").ToString() });

        var detail = await harness.VerifyAsync(id);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.StartsWith("Slack answered 404 no_service: the webhook no longer exists", detail.LastError, StringComparison.Ordinal);
        Assert.Empty(slack.Posted);
    }
}
