using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class IngestionApiTests(SetUpPortalFixture portal) : IAsyncLifetime
{
    private FakeIngressProviders _fake = default!;

    public async ValueTask InitializeAsync() => _fake = await FakeIngressProviders.StartAsync();

    public ValueTask DisposeAsync() => _fake.DisposeAsync();

    [Fact]
    public async Task Backfill_IsAcceptedAtOnce_ForAnOperator_RefusedForAViewer_AndCheckedForItsRange()
    {
        var integration = await ActiveUtilityIntegrationAsync();
        using var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        using var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var range = new { from = "2025-03-01T00:00:00Z", to = "2025-03-03T00:00:00Z" };

        var refused = await viewer.PostAsJsonAsync($"/api/integrations/{integration}/backfills", range, TestContext.Current.CancellationToken);
        var backwards = await operatorClient.PostAsJsonAsync($"/api/integrations/{integration}/backfills",
            new { from = range.to, to = range.from }, TestContext.Current.CancellationToken);
        var accepted = await operatorClient.PostAsJsonAsync($"/api/integrations/{integration}/backfills", range, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, backwards.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var runId = (await accepted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("runId").GetGuid();
        var runs = await viewer.GetFromJsonAsync<JsonElement>($"/api/integrations/{integration}/runs", TestContext.Current.CancellationToken);
        Assert.Contains(runs.EnumerateArray(), r => r.GetProperty("id").GetGuid() == runId && r.GetProperty("windowsTotal").GetInt32() == 2);
    }

    private async Task<Guid> ActiveUtilityIntegrationAsync()
    {
        Guid id;
        await using (var scope = portal.App.Services.AsAdmin(portal.Acme))
        {
            id = await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
            {
                TypeKey = "utility-data",
                Name = $"Meters {Guid.NewGuid():N}",
                Properties = new() { ["base_url"] = _fake.BaseUri.ToString(), ["api_token"] = FakeIngressProviders.Token, ["interval_minutes"] = "1440" },
            });
        }

        await Eventually.ReadAsync(() => portal.App.Services.GetIntegrationAsync(portal.Acme, id), detail => detail.Status == IntegrationStatus.Active,
            "the utility-data integration to verify against the fake provider");
        return id;
    }
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class IngestionApiOnPostgreSQLTests(SetUpPortalFixture portal) : IngestionApiTests(portal);
