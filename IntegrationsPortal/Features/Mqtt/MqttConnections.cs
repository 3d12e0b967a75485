using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Mqtt.Client;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>
/// One broker connection per MQTT integration, shared by all its deliveries. A publish with other
/// settings than the open connection's (credentials replaced, broker moved) replaces it; an
/// integration that is no longer active (disabled, in error, deleted) has its connection closed.
/// </summary>
public sealed class MqttConnections : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, (string Fingerprint, Lazy<Task<MqttConnection>> Connection)> _connections = new();
    private readonly TimeProvider _time;
    private readonly IntegrationEvents _events;
    private readonly IServiceScopeFactory _scopes;

    public MqttConnections(TimeProvider time, IntegrationEvents events, IServiceScopeFactory scopes)
    {
        _time = time;
        _events = events;
        _scopes = scopes;
        _events.Changed += OnIntegrationChanged;
    }

    public async Task<MqttConnection> GetAsync(ConfiguredIntegration integration, CancellationToken ct)
    {
        var options = MqttIntegrationOptions.From(integration);
        var fingerprint = Fingerprint(options);
        var entry = _connections.AddOrUpdate(integration.Id,
            _ => (fingerprint, new Lazy<Task<MqttConnection>>(() => ConnectAsync(integration.Id, options, ct))),
            (_, existing) => existing.Fingerprint == fingerprint
                ? existing
                : (fingerprint, new Lazy<Task<MqttConnection>>(() => ReplaceAsync(existing.Connection, integration.Id, options, ct))));
        return await entry.Connection.Value;
    }

    /// <summary>Forgets a connection (it failed, or its integration stopped), closing it if it was open.</summary>
    public Task DropAsync(Guid integrationId) =>
        _connections.TryRemove(integrationId, out var entry) ? CloseAsync(entry.Connection) : Task.CompletedTask;

    private async Task<MqttConnection> ReplaceAsync(Lazy<Task<MqttConnection>> old, Guid integrationId, MqttClientOptions options, CancellationToken ct)
    {
        await CloseAsync(old);
        return await ConnectAsync(integrationId, options, ct);
    }

    private async Task<MqttConnection> ConnectAsync(Guid integrationId, MqttClientOptions options, CancellationToken ct)
    {
        var connection = new MqttConnection(options, _time);
        try
        {
            await connection.ConnectAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            _connections.TryRemove(integrationId, out _);
            throw;
        }
    }

    private void OnIntegrationChanged(Guid integrationId)
    {
        if (_connections.ContainsKey(integrationId))
        {
            _ = CloseUnlessActiveAsync(integrationId);
        }
    }

    private async Task CloseUnlessActiveAsync(Guid integrationId)
    {
        await using var scope = _scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        // Any organization's: this only decides whether a socket stays open.
        var active = await db.Set<Integration>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .AnyAsync(i => i.Id == integrationId && i.Status == IntegrationStatus.Active);
        if (!active)
        {
            await DropAsync(integrationId);
        }
    }

    /// <summary>What identifies a connection's settings; the password only as a hash, so it is never kept in clear here.</summary>
    private static string Fingerprint(MqttClientOptions options) =>
        $"{options}|{options.Tls?.CaCertificate?.Thumbprint}|{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(options.Password ?? "")))}|{options.Will?.Topic}";

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
