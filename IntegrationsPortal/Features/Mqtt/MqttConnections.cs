using System.Collections.Concurrent;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>
/// One broker connection per MQTT integration, shared by all its deliveries. A connection is
/// dropped when its integration changes (new settings, disabled, deleted: any IntegrationEvents
/// change) and made again, with the new settings, by the next publish.
/// </summary>
public sealed class MqttConnections : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<MqttConnection>>> _connections = new();
    private readonly TimeProvider _time;
    private readonly IntegrationEvents _events;

    public MqttConnections(TimeProvider time, IntegrationEvents events)
    {
        _time = time;
        _events = events;
        _events.Changed += OnIntegrationChanged;
    }

    public Task<MqttConnection> GetAsync(ConfiguredIntegration integration, CancellationToken ct)
    {
        var connection = _connections.GetOrAdd(integration.Id, _ => new Lazy<Task<MqttConnection>>(() => ConnectAsync(integration, ct)));
        return connection.Value;
    }

    /// <summary>Forgets a connection that failed to open, so the next attempt tries again.</summary>
    public Task DropAsync(Guid integrationId) =>
        _connections.TryRemove(integrationId, out var connection) ? CloseAsync(connection) : Task.CompletedTask;

    private async Task<MqttConnection> ConnectAsync(ConfiguredIntegration integration, CancellationToken ct)
    {
        var connection = new MqttConnection(MqttIntegrationOptions.From(integration), _time);
        try
        {
            await connection.ConnectAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            _connections.TryRemove(integration.Id, out _);
            throw;
        }
    }

    private void OnIntegrationChanged(Guid integrationId) => _ = DropAsync(integrationId);

    private static async Task CloseAsync(Lazy<Task<MqttConnection>> connection)
    {
        if (connection.IsValueCreated && connection.Value.IsCompletedSuccessfully)
        {
            await connection.Value.Result.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _events.Changed -= OnIntegrationChanged;
        foreach (var id in _connections.Keys)
        {
            await DropAsync(id);
        }
    }
}
