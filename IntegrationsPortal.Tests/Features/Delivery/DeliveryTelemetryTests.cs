using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>What an operator's collector gets from deliveries: the metrics and the trace of each message (docs/decisions/048).</summary>
public class DeliveryTelemetryTests
{
    /// <summary>Set in a test's own flow, so the activity listener samples only this test's activities, not a parallel test's.</summary>
    private static readonly AsyncLocal<bool> Traced = new();

    [Fact]
    public async Task Delivery_DeliveredAndRefused_CountedByOutcomeAndTypeWithTheirLatency()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        receiver.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Path == "/refuse" ? 500 : 200;
            return Task.CompletedTask;
        };
        await using var harness = await DeliveryHarness.StartAsync();
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        // Only this portal's meter: its factory is the meter's scope, so parallel tests' portals are not heard.
        var meters = harness.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PortalTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, Tags(tags))));
        listener.Start();

        var delivered = await harness.CreateAsync("webhook", new() { ["url"] = new Uri(receiver.Url, "take").ToString() }, "Takes");
        var refused = await harness.CreateAsync("webhook", new() { ["url"] = new Uri(receiver.Url, "refuse").ToString() }, "Refuses");
        await harness.EnqueueAsync(delivered);
        await harness.EnqueueAsync(refused);
        await harness.DispatchAsync();

        var counted = measurements.Where(m => m.Instrument == DeliveryTelemetry.DeliveriesName)
            .Select(m => $"{m.Tags["outcome"]} {m.Tags["integration.type"]} {m.Value}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["delivered webhook 1", "retry webhook 1"], counted);
        var latencies = measurements.Where(m => m.Instrument == DeliveryTelemetry.AttemptDurationName).ToList();
        Assert.Equal(["delivered", "retry"], latencies.Select(m => (string)m.Tags["outcome"]!).Order(StringComparer.Ordinal));
        Assert.All(latencies, m => Assert.True(m.Value > 0, $"an attempt took {m.Value} ms"));

        // The outbox depth: the refused message waits for its retry.
        listener.RecordObservableInstruments();
        var waiting = measurements.Last(m => m.Instrument == DeliveryTelemetry.OutboxWaitingName);
        Assert.Equal(1, waiting.Value);
    }

    [Fact]
    public async Task Delivery_Traced_EnqueueAndAttemptAreOneTraceNamedByTheMessageId()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PortalTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => Traced.Value ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        Traced.Value = true;

        var id = await harness.CreateAsync("webhook", new() { ["url"] = new Uri(receiver.Url, "hooks").ToString() });
        var messageId = await harness.EnqueueAsync(id);
        await harness.DispatchAsync();

        var spans = stopped.Where(a => (string?)a.GetTagItem(DeliveryTraces.MessageIdTag) == messageId.ToString()).ToList();
        var enqueue = Assert.Single(spans, a => a.OperationName == DeliveryTraces.EnqueueName);
        var attempt = Assert.Single(spans, a => a.OperationName == DeliveryTraces.AttemptName);
        // What an operator types into the trace search: the message id without its dashes.
        Assert.Equal(messageId.ToString("N"), enqueue.TraceId.ToHexString());
        Assert.Equal(enqueue.TraceId, attempt.TraceId);
        Assert.Equal("delivered", attempt.GetTagItem("outcome"));
        Assert.Equal("webhook", attempt.GetTagItem("integration.type"));
        Assert.Equal(1, attempt.GetTagItem("portal.attempt"));
        // The receiver can tie its side to the same trace.
        Assert.Contains(enqueue.TraceId.ToHexString(), Assert.Single(receiver.Requests).Headers["traceparent"], StringComparison.Ordinal);
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            copy[key] = value;
        }

        return copy;
    }
}
