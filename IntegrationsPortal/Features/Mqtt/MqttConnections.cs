using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>
/// One broker connection per MQTT integration, shared by all its deliveries. A publish with other
/// settings than the open connection's (credentials replaced, broker moved) replaces it, and so does
/// one after the link dropped; an integration that is no longer active (disabled, in error, deleted,
/// its organization suspended) has its connection closed. Every connection is opened through the outbound address policy.
/// </summary>
public sealed class MqttConnections : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, (string Fingerprint, Lazy<Task<MqttBrokerConnection>> Connection)> _connections = new();
    private readonly IntegrationEvents _events;
    private readonly IServiceScopeFactory _scopes;
    private readonly OutboundAddressPolicy _policy;

    public MqttConnections(IntegrationEvents events, IServiceScopeFactory scopes, OutboundAddressPolicy policy)
    {
        _policy = policy;
        _events = events;
        _scopes = scopes;
        _events.Changed += OnIntegrationChanged;
    }

    public async Task<MqttBrokerConnection> GetAsync(ConfiguredIntegration integration, CancellationToken ct)
    {
        var fingerprint = Fingerprint(integration);
        var entry = _connections.AddOrUpdate(integration.Id,
            _ => (fingerprint, new Lazy<Task<MqttBrokerConnection>>(() => ConnectAsync(integration, ct))),
            (_, existing) => existing.Fingerprint == fingerprint && !HasDropped(existing.Connection)
                ? existing
                : (fingerprint, new Lazy<Task<MqttBrokerConnection>>(() => ReplaceAsync(existing.Connection, integration, ct))));
        return await entry.Connection.Value;
    }

    /// <summary>Forgets a connection (it failed, or its integration stopped), closing it if it was open.</summary>
    public Task DropAsync(Guid integrationId) =>
        _connections.TryRemove(integrationId, out var entry) ? CloseAsync(entry.Connection) : Task.CompletedTask;

    private async Task<MqttBrokerConnection> ReplaceAsync(Lazy<Task<MqttBrokerConnection>> old, ConfiguredIntegration integration, CancellationToken ct)
    {
        await CloseAsync(old);
        return await ConnectAsync(integration, ct);
    }

    private async Task<MqttBrokerConnection> ConnectAsync(ConfiguredIntegration integration, CancellationToken ct)
    {
        try
        {
            // Read here, once per connection: parsing certificates on every publish showed in the benchmark.
            return await MqttBrokerConnection.ConnectAsync(MqttIntegrationOptions.From(integration), _policy, ct);
        }
        catch
        {
            _connections.TryRemove(integration.Id, out _);
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
        // Any organization's: this only decides whether a socket stays open. A suspended organization's
        // connections close too (docs/decisions/031); its next publish after resume opens a new one.
        var suspended = db.SuspendedOrganizationIds();
        var active = await db.Set<Integration>().IgnoreQueryFilters([PortalDbContext.TenantFilterName])
            .AnyAsync(i => i.Id == integrationId && i.Status == IntegrationStatus.Active && !suspended.Contains(i.OrganizationId));
        if (!active)
        {
            await DropAsync(integrationId);
        }
    }

    /// <summary>The properties a connection is made of: a change to any of them needs a new one (the topic, QoS and the like do not).</summary>
    private static readonly string[] ConnectionProperties =
        ["host", "port", "protocol_version", "client_id", "username", "password", "tls", "ca_certificate", "client_certificate", "client_key", "will_topic", "will_payload"];

    /// <summary>What identifies a connection's settings; a hash, so the password and key are never kept in clear here.</summary>
    private static string Fingerprint(ConfiguredIntegration integration)
    {
        var settings = new StringBuilder();
        foreach (var name in ConnectionProperties)
        {
            settings.Append(integration.Get(name)).Append('\0');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(settings.ToString())));
    }

    /// <summary>The link went down after connecting (broker restarted, network cut): the next publish needs a new one.</summary>
    private static bool HasDropped(Lazy<Task<MqttBrokerConnection>> connection) =>
        connection.IsValueCreated && connection.Value.IsCompletedSuccessfully && !connection.Value.Result.IsConnected;

    private static async Task CloseAsync(Lazy<Task<MqttBrokerConnection>> connection)
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
