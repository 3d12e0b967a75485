using System.Collections.Concurrent;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>The portal's telemetry reaches an operator's OTLP collector when one is configured, and nothing is set up when not (docs/decisions/048).</summary>
public class TelemetryExportTests
{
    [Fact]
    public async Task OtlpEndpoint_Configured_MetricsAndTracesArePostedToTheCollector()
    {
        var posts = new ConcurrentQueue<string>();
        var (collector, collectorUri) = await LoopbackApp.StartAsync(app => app.MapPost("/otlp/v1/{signal}", (HttpContext context, string signal) =>
        {
            posts.Enqueue($"{signal} {context.Request.ContentType}");
            return Results.Ok();
        }));
        await using var _ = collector;
        await using var portal = new PortalAppFactory
        {
            Settings =
            {
                [TelemetryExtensions.EndpointSetting] = new Uri(collectorUri, "otlp").ToString(),
                // The SDK's standard variables: export at once instead of once a minute.
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            },
        };
        using var client = portal.CreateClient();
        // The outbox gauge always has a value to export; a span of the portal's source stands for a delivery's.
        portal.Services.GetRequiredService<DeliveryTelemetry>();
        using (PortalTelemetry.Source.StartActivity("export test"))
        {
        }

        await Eventually.TrueAsync(() => posts.Contains("metrics application/x-protobuf") && posts.Contains("traces application/x-protobuf"),
            "metrics and traces posted to the collector as OTLP protobuf");
    }

    [Fact]
    public async Task OtlpEndpoint_NotConfigured_NoProviderIsRegistered()
    {
        await using var portal = new PortalAppFactory();
        using var client = portal.CreateClient();

        Assert.Null(portal.Services.GetService<MeterProvider>());
        Assert.Null(portal.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task OtlpEndpoint_NotAnHttpAddress_TheStartSaysWhichSettingIsWrong()
    {
        await using var portal = new PortalAppFactory { Settings = { [TelemetryExtensions.EndpointSetting] = "collector:4318" } };

        var error = Assert.Throws<InvalidOperationException>(() => portal.CreateClient());
        Assert.Contains(TelemetryExtensions.EndpointSetting, error.Message, StringComparison.Ordinal);
    }
}
