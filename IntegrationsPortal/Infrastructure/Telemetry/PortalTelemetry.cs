using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IntegrationsPortal.Infrastructure.Telemetry;

/// <summary>
/// The portal's one meter and one activity source, both named <see cref="Name"/>. Each feature owns
/// its instruments (<c>DeliveryTelemetry</c>, <c>UplinkTelemetry</c>, ...) and creates them on the meter from
/// <see cref="MeterFor"/>; what is exported, and whether anything is, is decided in <see cref="TelemetryExtensions"/>.
/// Without a listener (no OTLP endpoint) recording costs a flag check: the delivery and uplink paths are benchmarked.
/// </summary>
public static class PortalTelemetry
{
    public const string Name = "IntegrationsPortal";

    /// <summary>Static: an activity is started only while a listener (the tracer provider, a test) wants this source.</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// The portal's meter from the host's <see cref="IMeterFactory"/>: the same meter for every feature of one
    /// host (the factory keeps one per name), a different one per host, so tests of one host see only its measurements.
    /// </summary>
    public static Meter MeterFor(IMeterFactory meters) => meters.Create(Name);

    /// <summary>
    /// The trace that stands for something with a Guid id (an outbox message), derived from the id alone:
    /// the trace id is the id's 16 bytes and the parent span id its last 8 (a Version 7 Guid's random part),
    /// so spans started at different times, on different nodes, without anything stored, land in one trace;
    /// written in hex, the trace id is the id without its dashes.
    /// The parent span itself is never emitted; a trace viewer shows the spans under a missing root.
    /// </summary>
    public static ActivityContext TraceOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return new ActivityContext(ActivityTraceId.CreateFromBytes(bytes), ActivitySpanId.CreateFromBytes(bytes[8..]), ActivityTraceFlags.Recorded, isRemote: true);
    }
}
