using System.Security.Cryptography.X509Certificates;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>The portal verifies an MQTT integration by really connecting to Mosquitto with its settings.</summary>
public sealed class MqttVerificationTests : IAsyncLifetime
{
    private const string BrokerUser = "portal";
    private const string BrokerPassword = "broker-password-7";
    private readonly PortalAppFactory _app = new();
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa("Broker Test CA");
    private MosquittoBroker _broker = default!;
    private Tenant _acme = default!;

    public async ValueTask InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync(new MosquittoSetup
        {
            Users = new Dictionary<string, string> { [BrokerUser] = BrokerPassword },
            ServerCertificate = TestCertificates.IssueServer(_ca),
            CaCertificate = _ca,
        });
        _acme = await _app.Services.SetUpFirstOrganizationAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _broker.DisposeAsync();
        _ca.Dispose();
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

    [Fact]
    public async Task ClientCertificateAndKey_ArePresentedToABrokerThatRequiresThem_AndTheIntegrationBecomesActive()
    {
        using var client = TestCertificates.IssueClient(_ca, "aws-iot-thing");
        var id = await CreateAsync(new Dictionary<string, string?>
        {
            ["port"] = Port(_broker.MutualTlsPort), ["tls"] = "true", ["ca_certificate"] = _ca.ExportCertificatePem(),
            ["client_certificate"] = client.ExportCertificatePem(), ["client_key"] = TestCertificates.PrivateKeyPem(client),
        });

        var detail = await _app.Services.WaitUntilVerifiedAsync(_acme, id);

        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.NotNull(detail.VerifiedAt);
    }

    [Fact]
    public async Task ClientKeyOfAnotherCertificate_IsRefusedNextToTheKeyField()
    {
        using var client = TestCertificates.IssueClient(_ca, "thing-1");
        using var other = TestCertificates.IssueClient(_ca, "thing-2");

        var error = await Assert.ThrowsAsync<PortalException>(() => CreateAsync(new Dictionary<string, string?>
        {
            ["port"] = Port(_broker.MutualTlsPort), ["tls"] = "true",
            ["client_certificate"] = client.ExportCertificatePem(), ["client_key"] = TestCertificates.PrivateKeyPem(other),
        }));

        Assert.Equal("This key does not belong to the certificate in Client certificate (PEM).", Assert.Single(error.FieldErrors["client_key"]));
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Task<Guid> CreateAsync(string password) => CreateAsync(new Dictionary<string, string?>
    {
        ["port"] = Port(_broker.AuthPort), ["username"] = BrokerUser, ["password"] = password,
    });

    private async Task<Guid> CreateAsync(Dictionary<string, string?> settings)
    {
        await using var scope = _app.Services.AsAdmin(_acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = "mqtt",
            Name = "Broker",
            Properties = new Dictionary<string, string?>(settings)
            {
                ["host"] = _broker.Host, ["topic"] = "sites/{placeId}/telemetry", ["qos"] = "1",
            },
        });
    }
}
