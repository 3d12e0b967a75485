using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Mqtt;

public static class MqttExtensions
{
    /// <summary>The MQTT type's code: its broker connections, its sender and its verifier (docs/decisions/004).</summary>
    public static IHostApplicationBuilder AddMqtt(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MqttConnections>();
        // Found by key through TypeCode<TRole>, as every type's sender and verifier are.
        builder.Services.AddTypeCode<MqttSender>();
        builder.Services.AddTypeCode<MqttVerifier>();
        return builder;
    }
}
