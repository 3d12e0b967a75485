using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Integrations;

/// <summary>
/// An integration's "Created" and "Updated", as the list and the detail page show them: stamped on save
/// from the portal's clock (docs/decisions/044), here a manual one, so each instant is exact.
/// </summary>
public class IntegrationTimestampsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Start);
    private PortalServices _portal = default!;
    private Tenant _acme = default!;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalServices.StartAsync(builder => builder.Services.AddSingleton<TimeProvider>(_clock));
        _acme = await _portal.Services.SetUpFirstOrganizationAsync();
    }

    public ValueTask DisposeAsync() => _portal.DisposeAsync();

    [Fact]
    public async Task Editing_MovesUpdatedToNow_AndKeepsCreated()
    {
        var id = await _portal.Services.CreateIntegrationAsync(_acme, IntegrationSeeds.Webhook());
        var created = await GetAsync(id);
        Assert.Equal(Start, created.CreatedAt);
        Assert.Equal(Start, created.UpdatedAt);

        _clock.Advance(TimeSpan.FromHours(1));
        await WithServiceAsync(s => s.UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = "Ops webhook (renamed)",
            Properties = new() { ["url"] = "https://hooks.acme.test/in" },
        }, TestContext.Current.CancellationToken));

        var edited = await GetAsync(id);
        Assert.Equal("Ops webhook (renamed)", edited.Name);
        Assert.Equal(Start, edited.CreatedAt);
        Assert.Equal(Start.AddHours(1), edited.UpdatedAt);
    }

    [Fact]
    public async Task Disabling_MovesUpdatedToNow()
    {
        var id = await _portal.Services.CreateIntegrationAsync(_acme, IntegrationSeeds.Webhook());

        _clock.Advance(TimeSpan.FromMinutes(20));
        await WithServiceAsync(s => s.DisableAsync(id, TestContext.Current.CancellationToken));

        var disabled = await GetAsync(id);
        Assert.Equal(IntegrationStatus.Inactive, disabled.Status);
        Assert.Equal(Start.AddMinutes(20), disabled.UpdatedAt);
    }

    [Fact]
    public async Task VerificationRetryNote_IsShown_ButLeavesUpdatedAlone()
    {
        var id = await _portal.Services.CreateIntegrationAsync(_acme, IntegrationSeeds.Webhook());

        _clock.Advance(TimeSpan.FromMinutes(5));
        await using (var scope = _portal.Services.AsAdmin(_acme))
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<IntegrationStatusRecorder>()
                .RecordVerificationRetryAsync(id, generation: 1, "The receiver timed out; trying again.", TestContext.Current.CancellationToken));
        }

        var noted = await GetAsync(id);
        Assert.Equal("The receiver timed out; trying again.", noted.LastError);
        Assert.Equal(Start, noted.UpdatedAt);
    }

    private Task<IntegrationDetail> GetAsync(Guid id) => _portal.Services.GetIntegrationAsync(_acme, id);

    private async Task WithServiceAsync(Func<IntegrationService, Task> action)
    {
        await using var scope = _portal.Services.AsOperator(_acme);
        await action(scope.ServiceProvider.GetRequiredService<IntegrationService>());
    }
}

[OnPostgreSQL]
public sealed class IntegrationTimestampsOnPostgreSQLTests : IntegrationTimestampsTests;
