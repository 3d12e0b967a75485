using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IntegrationsPortal.Features.Mqtt.Client;

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

    public MqttClientOptions Options(int? port = null) => MqttTest.Options(Broker.Host, port ?? Broker.Port);

    public MqttClientOptions OptionsV5(int? port = null) => Options(port) with { ProtocolVersion = MqttProtocolVersion.V500 };

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        Ca.Dispose();
        ClientCertificate.Dispose();
    }
}

public static class MqttTest
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Short timings so reconnects and keep-alive failures happen within a test's second or two.</summary>
    public static MqttClientOptions Options(string host, int port) => new()
    {
        Host = host,
        Port = port,
        ClientId = $"test-{Guid.NewGuid():N}"[..20],
        ConnectTimeout = TimeSpan.FromSeconds(3),
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
    };

    /// <summary>A topic no other test publishes to.</summary>
    public static string Topic(string name) => $"portal-tests/{name}/{Guid.NewGuid():N}";

    public static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(this MqttMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    public static async Task<MqttConnection> ConnectAsync(MqttClientOptions options)
    {
        var connection = new MqttConnection(options);
        try
        {
            await connection.ConnectAsync(TestContext.Current.CancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection subscribed to <paramref name="topicFilter"/>, ready to read back what others publish.</summary>
    public static async Task<MqttConnection> SubscriberAsync(MqttClientOptions options, string topicFilter, MqttQos qos = MqttQos.ExactlyOnce)
    {
        var subscriber = await ConnectAsync(options);
        await subscriber.SubscribeAsync(topicFilter, qos, TestContext.Current.CancellationToken);
        return subscriber;
    }

    public static async Task<MqttMessage> NextMessageAsync(this MqttConnection subscriber, TimeSpan? timeout = null)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout ?? Patience);
        return await subscriber.Messages.ReadAsync(cancel.Token);
    }

    public static async Task<List<MqttMessage>> ReadMessagesAsync(this MqttConnection subscriber, int count)
    {
        var messages = new List<MqttMessage>();
        while (messages.Count < count)
        {
            messages.Add(await subscriber.NextMessageAsync());
        }

        return messages;
    }

    /// <summary>True if nothing arrives within <paramref name="quiet"/>.</summary>
    public static async Task<bool> StaysQuietAsync(this MqttConnection subscriber, TimeSpan quiet)
    {
        try
        {
            await subscriber.NextMessageAsync(quiet);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Polls with short waits until <paramref name="condition"/> holds, failing after <see cref="Patience"/>.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"Timed out waiting until {what}.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
