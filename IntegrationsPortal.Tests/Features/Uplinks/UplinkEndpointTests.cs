using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Uplinks;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Uplinks;

/// <summary>Each network's uplink through the real endpoint, over HTTP, into the real database (a SQLite file; PostgreSQL below).</summary>
public class UplinkEndpointTests(UplinkPortalFixture portal) : IClassFixture<UplinkPortalFixture>
{
    public static TheoryData<string> Types => new(UplinkSamples.All.Select(s => s.TypeKey));

    [Theory]
    [MemberData(nameof(Types))]
    public async Task MappedDevice_GetsTheDecodedNumbersAsReadings_AndTheUplinkIsKeptWithTheBestGateway(string typeKey)
    {
        var (id, token) = await portal.ActiveIntegrationAsync(typeKey);
        var device = await portal.DeviceAsync("Boiler sensor");
        await portal.MapAsync(id, UplinkSamples.Eui, device.MappingPath);

        var response = await portal.PostAsync(id, token, UplinkSamples.Of(typeKey).Body(UplinkSamples.Eui, 41));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var readings = await portal.QueryAsync(s => s.GetRequiredService<ReadingQueries>().LatestAsync(device.ResourcePath));
        Assert.Equal([("battery.voltage", 3.61), ("temperature", 21.5)], readings.Select(r => (r.Metric, r.Value)));
        var uplink = Assert.Single(await UplinksOfAsync(id));
        Assert.Equal(device.ResourcePath, uplink.ResourcePath);
        Assert.Contains("\"temperature\"", uplink.Body, StringComparison.Ordinal);
        if (typeKey != "http-uplinks")
        {
            Assert.Equal((2, 41L, -87d, 9.75d), (uplink.Port, uplink.FrameCounter, uplink.Rssi, uplink.Snr));
            Assert.Equal(UplinkSamples.ReceivedAt, readings[0].Timestamp);
        }
    }

    [Fact]
    public async Task MappingTypedInLowerCase_StillMatchesTheEuiTheNetworkSends()
    {
        // The store looks the exact id up first (the index) and falls back to a case-insensitive match.
        var (id, token) = await portal.ActiveIntegrationAsync(IntegrationsPortal.Features.Catalog.TypeKeys.ThingsStackUplinks);
        var device = await portal.DeviceAsync("Typed in lower case");
        await portal.MapAsync(id, UplinkSamples.Eui.ToLowerInvariant(), device.MappingPath);

        var response = await portal.PostAsync(id, token, UplinkSamples.Of(IntegrationsPortal.Features.Catalog.TypeKeys.ThingsStackUplinks).Body(UplinkSamples.Eui, 7));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(device.ResourcePath, Assert.Single(await UplinksOfAsync(id)).ResourcePath);
        Assert.Contains(await portal.QueryAsync(s => s.GetRequiredService<ReadingQueries>().LatestAsync(device.ResourcePath)), r => r.Metric == "temperature");
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task UnmappedDevice_IsListedWithLastSeenAndCount_UntilMapped_ThenItsNextUplinkIsAReading(string typeKey)
    {
        var (id, token) = await portal.ActiveIntegrationAsync(typeKey);
        var sample = UplinkSamples.Of(typeKey);

        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, token, sample.Body(UplinkSamples.Eui, 1))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, token, sample.Body(UplinkSamples.Eui, 2))).StatusCode);

        var unmapped = Assert.Single(await portal.QueryAsync(s => s.GetRequiredService<UplinkQueries>().UnmappedAsync(id)));
        Assert.Equal((UplinkSamples.Eui, 2L), (unmapped.DeviceEui, unmapped.Count));
        var device = await portal.DeviceAsync("Found later");
        await portal.MapAsync(id, unmapped.DeviceEui, device.MappingPath);
        Assert.Empty(await portal.QueryAsync(s => s.GetRequiredService<UplinkQueries>().UnmappedAsync(id)));

        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, token, sample.Body(UplinkSamples.Eui, 3))).StatusCode);
        Assert.Contains(await portal.QueryAsync(s => s.GetRequiredService<ReadingQueries>().LatestAsync(device.ResourcePath)), r => r.Metric == "temperature");
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task SameUplinkTwice_IsStoredOnce_AndTheRetryIsStillAccepted(string typeKey)
    {
        var (id, token) = await portal.ActiveIntegrationAsync(typeKey);
        var body = UplinkSamples.Of(typeKey).Body(UplinkSamples.Eui, 7);

        var first = await portal.PostAsync(id, token, body);
        var retry = await portal.PostAsync(id, token, body);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(1, (await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("stored").GetInt32());
        Assert.Equal(1, (await retry.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("duplicates").GetInt32());
        Assert.Single(await UplinksOfAsync(id));
        Assert.Equal(1, Assert.Single(await portal.QueryAsync(s => s.GetRequiredService<UplinkQueries>().UnmappedAsync(id))).Count);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task WrongMissingOrOtherIntegrationsToken_Is401_AndNothingIsStored(string typeKey)
    {
        var (id, _) = await portal.ActiveIntegrationAsync(typeKey);
        var (_, otherToken) = await portal.ActiveIntegrationAsync(typeKey);
        var body = UplinkSamples.Of(typeKey).Body(UplinkSamples.Eui, 1);

        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.PostAsync(id, "upl_guessed", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.PostAsync(id, null, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.PostAsync(id, otherToken, body, UplinkHeaders.Token)).StatusCode);
        Assert.Empty(await UplinksOfAsync(id));
    }

    [Fact]
    public async Task RotatedToken_BothWorkDuringTheGrace_InTheNetworksHeaderToo_ThenTheOldOneIsRevoked()
    {
        var (id, oldToken) = await portal.ActiveIntegrationAsync("tts-uplinks");
        var newToken = await portal.IssueTokenAsync(id);
        var sample = UplinkSamples.Of("tts-uplinks");

        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, oldToken, sample.Body(UplinkSamples.Eui, 1), UplinkHeaders.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, newToken, sample.Body(UplinkSamples.Eui, 2))).StatusCode);
        await portal.QueryAsync(async s => { await s.GetRequiredService<UplinkTokens>().RevokePreviousAsync(id); return 0; });

        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.PostAsync(id, oldToken, sample.Body(UplinkSamples.Eui, 3))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, newToken, sample.Body(UplinkSamples.Eui, 4))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task DisabledIntegration_Is409IntegrationDisabled_AndShownAsRejected(string typeKey)
    {
        var (id, token) = await portal.ActiveIntegrationAsync(typeKey);
        await portal.QueryAsync(async s => { await s.GetRequiredService<IntegrationService>().DisableAsync(id); return 0; });

        var response = await portal.PostAsync(id, token, UplinkSamples.Of(typeKey).Body(UplinkSamples.Eui, 1));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("integration disabled", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var rejected = Assert.Single(await portal.QueryAsync(s => s.GetRequiredService<UplinkQueries>().RejectedAsync(id)));
        Assert.Equal((409, "integration disabled"), (rejected.StatusCode, rejected.Reason));
        Assert.Empty(await UplinksOfAsync(id));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task MalformedOrIncompleteBody_Is400WithTheReason_KeptForTheIntegrationsPage(string typeKey)
    {
        var (id, token) = await portal.ActiveIntegrationAsync(typeKey);

        var notJson = await portal.PostAsync(id, token, "{\"dev_eui\": ");
        var noDevice = await portal.PostAsync(id, token, "{\"received_at\": \"2026-11-30T12:00:00Z\", \"time\": \"2026-11-30T12:00:00Z\"}");

        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noDevice.StatusCode);
        var reason = (await noDevice.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("detail").GetString();
        Assert.Matches("'(dev_eui|end_device_ids|deviceInfo|device)' is missing", reason);
        var rejected = await portal.QueryAsync(s => s.GetRequiredService<UplinkQueries>().RejectedAsync(id));
        Assert.Equal([reason!, rejected[1].Reason], rejected.Select(r => r.Reason));
        Assert.StartsWith("The body is not JSON", rejected[1].Reason, StringComparison.Ordinal);
        Assert.Empty(await UplinksOfAsync(id));
    }

    [Fact]
    public async Task AnUplinkIdLongerThanTheColumn_Is400WithTheReason_AndNothingIsStored()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("http-uplinks");
        var longId = new string('f', UplinkLimits.DedupKey + 1);

        var response = await portal.PostAsync(id, token, $$$"""{"device": "meter-1", "time": "2026-11-30T12:00:00Z", "id": "{{{longId}}}", "metrics": {"kwh": 1}}""");
        var fits = await portal.PostAsync(id, token, $$$"""{"device": "meter-1", "time": "2026-11-30T12:00:00Z", "id": "{{{longId[1..]}}}", "metrics": {"kwh": 1}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"longer than {UplinkLimits.DedupKey} characters", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, fits.StatusCode);
        Assert.Single(await UplinksOfAsync(id));
    }

    [Fact]
    public async Task BodyOver256KB_Is413_EvenWithoutContentLength()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("http-uplinks");
        var huge = "{\"device\": \"d\", \"pad\": \"" + new string('x', 300 * 1024) + "\"}";

        var declared = await portal.PostAsync(id, token, huge);
        using var client = portal.App.CreateClient();
        using var chunked = new HttpRequestMessage(HttpMethod.Post, UplinksExtensions.EndpointPath(id))
        {
            Content = new StreamContent(new UnseekableStream(System.Text.Encoding.UTF8.GetBytes(huge))),
        };
        chunked.Headers.Authorization = new("Bearer", token);
        var streamed = await client.SendAsync(chunked, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Empty(await UplinksOfAsync(id));
    }

    [Fact]
    public async Task BurstOverTheLimit_Is429WithRetryAfter_ForThatIntegrationOnly()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("http-uplinks");
        var (otherId, otherToken) = await portal.ActiveIntegrationAsync("http-uplinks");

        var answers = new List<HttpResponseMessage>();
        for (var frame = 0; frame < UplinkPortalFixture.Burst * 3; frame++)
        {
            answers.Add(await portal.PostAsync(id, token, UplinkSamples.Http("d1", frame)));
        }

        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(otherId, otherToken, UplinkSamples.Http("d1", 0))).StatusCode);
    }

    [Fact]
    public async Task ChirpStackEventsOtherThanUp_AreAcknowledgedAndIgnored()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("chirpstack-uplinks");

        var join = await portal.PostAsync(id, token, "{\"deviceInfo\": {\"devEui\": \"70b3d57ed005a1b2\"}, \"devAddr\": \"00189440\"}", query: "?event=join");

        Assert.Equal(HttpStatusCode.Accepted, join.StatusCode);
        Assert.Empty(await UplinksOfAsync(id));
    }

    [Fact]
    public async Task Activity_CountsThisMinutesUplinks_AndTheLastUplinkTime()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("http-uplinks");

        await portal.PostAsync(id, token, $"[{UplinkSamples.Http("a", 1)}, {UplinkSamples.Http("b", 1)}]");

        var activity = await portal.QueryAsync(s => s.GetRequiredService<UplinkQueries>().ActivityAsync(id));
        Assert.Equal(60, activity.PerMinute.Count);
        Assert.Equal(2, activity.PerMinute.Sum(m => m.Count));
        Assert.NotNull(activity.LastUplinkAt);
    }

    [Fact]
    public async Task Token_IsStoredOnlyAsItsHash()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("http-uplinks");

        var stored = await portal.QueryAsync(async s =>
        {
            await using var db = await s.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            return await db.Set<UplinkToken>().AsNoTracking().Where(t => t.IntegrationId == id).Select(t => t.Hash).ToListAsync();
        });

        var hash = Assert.Single(stored);
        Assert.Equal(UplinkTokens.Hash(token), hash);
        Assert.DoesNotContain(token, hash, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UplinkLargerThanTheStoredCap_IsKeptAsWhatWasReadFromIt_MarkedTruncated()
    {
        var (id, token) = await portal.ActiveIntegrationAsync("http-uplinks");
        var note = new string('x', UplinkLimits.StoredBody);
        var body = $"{{\"device\": \"big-1\", \"time\": \"2026-12-01T10:00:00Z\", \"metrics\": {{\"temperature\": 20.5}}, \"note\": \"{note}\"}}";

        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync(id, token, body)).StatusCode);

        var uplink = Assert.Single(await UplinksOfAsync(id));
        Assert.True(uplink.Body.Length < UplinkLimits.StoredBody, $"Kept {uplink.Body.Length} characters.");
        using var kept = JsonDocument.Parse(uplink.Body);
        Assert.True(kept.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal("big-1", kept.RootElement.GetProperty("device").GetString());
    }

    private Task<List<Uplink>> UplinksOfAsync(Guid integrationId) => portal.QueryAsync(async s =>
    {
        await using var db = await s.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<Uplink>().AsNoTracking().Where(u => u.IntegrationId == integrationId).ToListAsync();
    });

    /// <summary>Makes HttpClient send chunked, with no Content-Length for the endpoint to refuse early.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>The uplink writer's statements on PostgreSQL (issue 16).</summary>
[OnPostgreSQL]
public sealed class UplinkEndpointOnPostgreSQLTests(UplinkPortalFixture portal) : UplinkEndpointTests(portal);
