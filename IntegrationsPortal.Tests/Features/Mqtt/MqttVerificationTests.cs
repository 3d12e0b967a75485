using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>The portal verifies an MQTT integration by really connecting to Mosquitto with its settings.</summary>
public sealed class MqttVerificationTests : IAsyncLifetime
{
    private const string BrokerUser = "portal";
    private const string BrokerPassword = "broker-password-7";
    private readonly PortalAppFactory _app = new();
    private MosquittoBroker _broker = default!;
    private Tenant _acme = default!;

    public async ValueTask InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync(new MosquittoSetup { Users = new Dictionary<string, string> { [BrokerUser] = BrokerPassword } });
        _acme = await _app.Services.SetUpFirstOrganizationAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task RightCredentials_MakeTheIntegrationActive()
    {
        var id = await CreateAsync(BrokerPassword);

        var detail = await _app.Services.WaitUntilVerifiedAsync(_acme, id);

        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.NotNull(detail.VerifiedAt);
    }

    [Fact]
    public async Task WrongPassword_PutsTheIntegrationInError_WithTheBrokersReason_AndNoPassword()
    {
        var id = await CreateAsync("not-the-password");

        var detail = await _app.Services.WaitUntilVerifiedAsync(_acme, id);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Contains("not authorized", detail.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", detail.LastError, StringComparison.Ordinal);
    }

    private async Task<Guid> CreateAsync(string password)
    {
        await using var scope = _app.Services.AsAdmin(_acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = "mqtt",
            Name = "Broker",
            Properties = new()
            {
                ["host"] = _broker.Host, ["port"] = _broker.AuthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["username"] = BrokerUser, ["password"] = password, ["topic"] = "sites/{placeId}/telemetry", ["qos"] = "1",
            },
        });
    }
}
