using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using IntegrationsPortal.Features.Mqtt;
using IntegrationsPortal.Infrastructure.Http;
using IntegrationsPortal.Tests.Features.Delivery;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IntegrationsPortal.Tests.Features.Mqtt;

/// <summary>One Mosquitto per test class with users and TLS listeners, for tests that leave the broker running.</summary>
public sealed class MosquittoFixture : IAsyncLifetime
{
    public const string UserName = "portal";
    // Made up for the tests; asserted never to appear in error messages.
    public const string Password = "Tr0ub4dor&3-mqtt-secret";

    /// <summary>The broker's ACL lets nobody publish or subscribe under this.</summary>
    public const string DeniedTopics = "portal-tests/forbidden";

    public X509Certificate2 Ca { get; } = TestCertificates.CreateCa("Portal Test CA");

    public X509Certificate2 ClientCertificate { get; private set; } = default!;

    public MosquittoBroker Broker { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        ClientCertificate = TestCertificates.IssueClient(Ca, "portal-client");
        Broker = await MosquittoBroker.StartAsync(new MosquittoSetup
        {
            Users = new Dictionary<string, string> { [UserName] = Password },
            ServerCertificate = TestCertificates.IssueServer(Ca),
            CaCertificate = Ca,
            DeniedTopics = [DeniedTopics + "/#"],
        });
    }

    public MqttBrokerSettings Settings(int? port = null) => MqttTest.Settings(Broker.Host, port ?? Broker.Port);

    public MqttBrokerSettings SettingsV5(int? port = null) => Settings(port) with { ProtocolVersion = MqttProtocolVersion.V500 };

    /// <summary>A reader on the anonymous plain listener.</summary>
    public Task<MqttSubscriber> SubscriberAsync(string topicFilter, bool v5 = false) => MqttSubscriber.StartAsync(Broker.Host, Broker.Port, topicFilter, v5);

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        Ca.Dispose();
        ClientCertificate.Dispose();
    }
}

/// <summary>
/// A test class that sends through the portal's delivery (a <see cref="DeliveryHarness"/>) to its own
/// Mosquitto, started fresh for each test because these tests stop, freeze or restart the broker.
/// </summary>
public abstract class MqttDeliveryTest : IAsyncLifetime
{
    protected MosquittoBroker Broker { get; private set; } = default!;

    protected DeliveryHarness Harness { get; private set; } = default!;

    /// <summary>Portal settings the class needs beyond the harness's own.</summary>
    protected virtual Dictionary<string, string?>? Settings => null;

    public async ValueTask InitializeAsync()
    {
        Broker = await MosquittoBroker.StartAsync();
        Harness = await DeliveryHarness.StartAsync(settings: Settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        await Broker.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public static class MqttTest
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The tests' brokers are on loopback, which the policy refuses unless allowed, as an operator would.</summary>
    public static readonly OutboundAddressPolicy LoopbackAllowed = new(new OutboundPolicyOptions { AllowedNetworks = ["127.0.0.0/8"] });

    public static MqttBrokerSettings Settings(string host, int port) => new()
    {
        Host = host,
        Port = port,
        ClientId = $"test-{Guid.NewGuid():N}"[..20],
        ConnectTimeout = TimeSpan.FromSeconds(3),
    };

    /// <summary>A topic no other test publishes to.</summary>
    public static string Topic(string name) => $"portal-tests/{name}/{Guid.NewGuid():N}";

    public static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The portal's connection, as deliveries and verification open it.</summary>
    public static Task<MqttBrokerConnection> ConnectAsync(MqttBrokerSettings settings) =>
        MqttBrokerConnection.ConnectAsync(settings, LoopbackAllowed, TestContext.Current.CancellationToken);
}

/// <summary>A message as a subscriber received it.</summary>
public sealed record ReceivedMessage(
    string Topic,
    string Text,
    MqttQualityOfServiceLevel Qos,
    bool Retain,
    uint MessageExpiryInterval,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> UserProperties);

/// <summary>
/// The other end of a test: a plain MQTTnet client subscribed to a filter (at QoS 2), collecting what the
/// broker forwards. Not the portal's code, so it checks what reached the broker, not what the portal believes.
/// </summary>
public sealed class MqttSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>();

    private MqttSubscriber()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            _messages.Writer.TryWrite(new ReceivedMessage(
                m.Topic,
                Encoding.UTF8.GetString(m.Payload),
                m.QualityOfServiceLevel,
                m.Retain,
                m.MessageExpiryInterval,
                m.ContentType,
                [.. (m.UserProperties ?? []).Select(p => KeyValuePair.Create(p.Name, p.ReadValueAsString()))]));
            return Task.CompletedTask;
        };
    }

    public static async Task<MqttSubscriber> StartAsync(string host, int port, string topicFilter, bool v5 = false)
    {
        var subscriber = new MqttSubscriber();
        var token = TestContext.Current.CancellationToken;
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId($"reader-{Guid.NewGuid():N}"[..20])
            .WithProtocolVersion(v5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .Build();
        await subscriber._client.ConnectAsync(options, token);
        await subscriber._client.SubscribeAsync(topicFilter, MqttQualityOfServiceLevel.ExactlyOnce, token);
        return subscriber;
    }

    public async Task<ReceivedMessage> NextMessageAsync(TimeSpan? timeout = null)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout ?? MqttTest.Patience);
        return await _messages.Reader.ReadAsync(cancel.Token);
    }

    public async Task<List<ReceivedMessage>> ReadMessagesAsync(int count)
    {
        var messages = new List<ReceivedMessage>();
        while (messages.Count < count)
        {
            messages.Add(await NextMessageAsync());
        }

        return messages;
    }

    /// <summary>True if nothing arrives within <paramref name="quiet"/>.</summary>
    public async Task<bool> StaysQuietAsync(TimeSpan quiet)
    {
        try
        {
            await NextMessageAsync(quiet);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
