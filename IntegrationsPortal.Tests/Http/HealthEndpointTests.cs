using System.Net;

namespace IntegrationsPortal.Tests.Http;

/// <summary>
/// What a load balancer asks a node, without signing in and before the portal is set up:
/// live while it serves, ready while its database answers and its job scheduler runs.
/// </summary>
public class HealthEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FreshPortal_IsLiveAndReady_Anonymously()
    {
        await using var app = new PortalAppFactory();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
        }
    }
}

/// <summary>The same node on PostgreSQL.</summary>
[OnPostgreSQL]
public sealed class HealthEndpointOnPostgreSQLTests : HealthEndpointTests;
