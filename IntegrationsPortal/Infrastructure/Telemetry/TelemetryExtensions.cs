using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IntegrationsPortal.Infrastructure.Telemetry;

public static class TelemetryExtensions
{
    public const string EndpointSetting = "Portal:Telemetry:OtlpEndpoint";

    /// <summary>The standard variable every OpenTelemetry SDK reads (docs/decisions/048).</summary>
    public const string StandardEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Exports the portal's metrics and traces (<see cref="PortalTelemetry"/>) over OTLP when an endpoint is
    /// configured: <see cref="EndpointSetting"/> (OTLP over HTTP, <c>/v1/metrics</c> and <c>/v1/traces</c> under
    /// it) or <see cref="StandardEndpointVariable"/> (read by the SDK as the OpenTelemetry specification says,
    /// with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> and the rest). Without either nothing is registered: no
    /// provider listens, so the instruments record nothing and no activity is started.
    /// The collector is the operator's and its address comes from the operator, as the database's does,
    /// so the exporter does not go through the outbound address policy (docs/decisions/048).
    /// </summary>
    public static IHostApplicationBuilder AddPortalTelemetry(this IHostApplicationBuilder builder)
    {
        var endpoint = Endpoint(builder.Configuration);
        if (endpoint is null && string.IsNullOrWhiteSpace(builder.Configuration[StandardEndpointVariable]))
        {
            return builder;
        }

        void Configure(OtlpExporterOptions exporter, string signal)
        {
            if (endpoint is not null)
            {
                // Set in code, the endpoint is used as given: the signal's path is added here.
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(endpoint, signal);
            }
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(PortalTelemetry.Name))
            .WithMetrics(metrics => metrics
                .AddMeter(PortalTelemetry.Name)
                .AddOtlpExporter((exporter, _) => Configure(exporter, "v1/metrics")))
            .WithTracing(tracing => tracing
                .AddSource(PortalTelemetry.Name)
                .AddOtlpExporter(exporter => Configure(exporter, "v1/traces")));
        return builder;
    }

    /// <summary>The <see cref="EndpointSetting"/> as a base address ending in '/'; null when not set.</summary>
    private static Uri? Endpoint(IConfiguration configuration)
    {
        if (configuration[EndpointSetting] is not { } value || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException(
                $"{EndpointSetting} must be the collector's absolute http or https address (such as http://collector:4318), not '{value}'.");
        }

        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
