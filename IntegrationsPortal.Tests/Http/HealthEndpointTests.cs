using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IntegrationsPortal.Tests.Http;

/// <summary>
/// What a load balancer asks a node, without signing in and before the portal is set up:
/// live while it serves, ready while its database answers and its job scheduler runs.
/// </summary>
public class HealthEndpointTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FreshPortal_IsLiveAndReady_Anonymously()
    {
        await using var app = new PortalAppFactory();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        using var live = await client.GetAsync("/health/live", Ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync(Ct));

        // Ready as soon as its scheduler runs: at once on SQLite; on PostgreSQL once the node has first
        // checked in with the job cluster, a moment after the start (asking before that is a 503, rightly).
        var ready = await Eventually.ReadAsync(async () =>
        {
            using var response = await client.GetAsync("/health/ready", Ct);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(Ct));
        }, r => r.StatusCode == HttpStatusCode.OK, "the fresh node to be ready", TimeSpan.FromSeconds(10));
        Assert.Equal("Healthy", ready.Body);
    }
}

/// <summary>The same node on PostgreSQL, where ready also means checked in with the job cluster.</summary>
[OnPostgreSQL]
public sealed class HealthEndpointOnPostgreSQLTests : HealthEndpointTests
{
    [Fact]
    public async Task NodeWhoseClusterCheckInIsOverdue_IsNotReady()
    {
        await using var app = new PortalAppFactory();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });
        // A node is ready once Quartz has started and checked in for the first time, shortly after the start.
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready", Ct)).StatusCode == HttpStatusCode.OK, "the node to be ready");

        // As if the node had not checked in for a minute (its pool exhausted, say): the others take its jobs.
        await using (var connection = new NpgsqlConnection(app.Services.GetRequiredService<IConfiguration>().GetConnectionString("Portal")))
        {
            await connection.OpenAsync(Ct);
            await using var backdate = new NpgsqlCommand(
                "UPDATE qrtz_scheduler_state SET last_checkin_time = last_checkin_time - $1", connection)
            {
                Parameters = { new NpgsqlParameter { Value = TimeSpan.FromMinutes(1).Ticks } },
            };
            Assert.Equal(1, await backdate.ExecuteNonQueryAsync(Ct));
        }

        using var response = await client.GetAsync("/health/ready", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", Ct)).StatusCode);
    }
}
