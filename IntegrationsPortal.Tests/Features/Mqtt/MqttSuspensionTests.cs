using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Platform;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>
/// Suspending an organization against a real Mosquitto: its broker connections close, nothing of it is
/// published while suspended, and after resume what waited is published on a new connection.
/// </summary>
public sealed class MqttSuspensionTests : MqttDeliveryTest
{
    [Fact]
    public async Task SuspendedOrganization_ClosesItsBrokerConnection_PublishesNothing_AndAfterResumePublishesWhatWaited()
    {
        var globex = await Harness.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        var clientId = $"globex-{Guid.NewGuid():N}"[..20];
        var topic = MqttTest.Topic("suspension");
        await using var subscriber = await MqttSubscriber.StartAsync(Broker.Host, Broker.Port, topic);
        var integration = await Harness.AsAdminAsync(sp => sp.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = "mqtt",
            Name = "Globex broker",
            Properties = new()
            {
                ["host"] = Broker.Host, ["port"] = Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["topic"] = topic, ["qos"] = "1", ["client_id"] = clientId,
            },
        }), globex);
        Assert.Equal(IntegrationStatus.Active, (await Harness.VerifyAsync(integration, globex)).Status);
        await SendAsync(globex, integration, "before");
        Assert.Contains("before", (await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20))).Text, StringComparison.Ordinal);
        // The verifier connected (and left) with the same client id first; count from here.
        var (connected, disconnected) = (Count(ConnectedLine(clientId)), Count(DisconnectedLine(clientId)));

        await AsPlatformAdministratorAsync(p => p.SuspendOrganizationAsync(globex.OrganizationId));
        await Eventually.TrueAsync(() => Count(DisconnectedLine(clientId)) == disconnected + 1, "the suspended organization's connection is closed");
        await SendAsync(globex, integration, "while suspended");

        Assert.True(await subscriber.StaysQuietAsync(TimeSpan.FromMilliseconds(500)), "A suspended organization's message was published.");
        Assert.Equal(connected, Count(ConnectedLine(clientId)));

        await AsPlatformAdministratorAsync(p => p.ResumeOrganizationAsync(globex.OrganizationId));
        await Harness.DispatchAsync();

        Assert.Contains("while suspended", (await subscriber.NextMessageAsync(TimeSpan.FromSeconds(20))).Text, StringComparison.Ordinal);
        Assert.Equal(connected + 1, Count(ConnectedLine(clientId)));
    }

    private static string ConnectedLine(string clientId) => $@"New client connected from \S+ as {clientId}\b";

    private static string DisconnectedLine(string clientId) => $@"Client {clientId} disconnected";

    /// <summary>How many lines of the broker's log match <paramref name="pattern"/>.</summary>
    private int Count(string pattern) => Regex.Count(Broker.ReadLog(), pattern);

    /// <summary>A test send from Globex, then one dispatcher pass.</summary>
    private async Task SendAsync(Tenant globex, Guid integration, string text)
    {
        await Harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().SendTestAsync(integration, $$"""{"text":"{{text}}"}"""), globex);
        await Harness.DispatchAsync();
    }

    /// <summary>The harness's first user is the platform administrator (in Acme, so Globex may be suspended).</summary>
    private Task AsPlatformAdministratorAsync(Func<PlatformService, Task> call) =>
        Harness.AsAdminAsync(async sp => { await call(sp.GetRequiredService<PlatformService>()); return true; });
}
