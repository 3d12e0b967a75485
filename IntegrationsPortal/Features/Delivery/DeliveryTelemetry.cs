using System.Diagnostics;
using System.Diagnostics.Metrics;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Infrastructure.Telemetry;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// The delivery instruments on the portal's meter: attempts by outcome and integration type, their latency,
/// and the outbox depth. Recorded once per attempt with a <see cref="TagList"/> (no allocation); the outbox
/// depth is counted only when a reader collects it (by default once a minute, and only with an exporter).
/// </summary>
public sealed class DeliveryTelemetry
{
    public const string DeliveriesName = "portal.deliveries";
    public const string AttemptDurationName = "portal.delivery.attempt.duration";
    public const string OutboxWaitingName = "portal.outbox.waiting";

    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _attemptDuration;
    private readonly IServiceScopeFactory _scopes;

    public DeliveryTelemetry(IMeterFactory meters, IServiceScopeFactory scopes)
    {
        _scopes = scopes;
#pragma warning disable CA2000 // the host's meter factory owns its meters and disposes them with the host
        var meter = PortalTelemetry.MeterFor(meters);
#pragma warning restore CA2000
        _deliveries = meter.CreateCounter<long>(DeliveriesName, "{attempt}", "Delivery attempts, by outcome and integration type.");
        _attemptDuration = meter.CreateHistogram<double>(AttemptDurationName, "ms", "How long one delivery attempt took.");
        meter.CreateObservableGauge(OutboxWaitingName, CountWaiting, "{message}", "Outbox messages waiting to be sent (pending, to be retried or of unknown outcome).");
    }

    /// <summary>One attempt ended: counted under its outcome and type, its duration recorded.</summary>
    public void AttemptEnded(DeliveryOutcome outcome, string integrationType, TimeSpan duration)
    {
        if (!_deliveries.Enabled && !_attemptDuration.Enabled)
        {
            return;
        }

        var tags = new TagList { { "outcome", OutcomeName(outcome) }, { "integration.type", integrationType } };
        _deliveries.Add(1, tags);
        _attemptDuration.Record(duration.TotalMilliseconds, tags);
    }

    /// <summary>A few fixed words, so the metric keeps a handful of series.</summary>
    public static string OutcomeName(DeliveryOutcome outcome) => outcome switch
    {
        { Succeeded: true } => "delivered",
        { OutcomeUnknown: true } => "unknown",
        { Failure: FailureKind.Throttled } => "throttled",
        { Failure: FailureKind.Gone } => "gone",
        { Failure: FailureKind.Final } => "final",
        _ => "retry",
    };

    private long CountWaiting()
    {
        // Synchronous: an observable gauge's callback cannot await. One indexed count per collection.
        using var scope = _scopes.CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        using var context = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var waiting = DueMessageQuery.Waiting;
        return DueMessageQuery.Outbox(context).LongCount(m => waiting.Contains(m.Status) && m.NextAttemptAt != null);
    }
}

/// <summary>
/// A delivery's trace: the trace of its message id (<see cref="PortalTelemetry.TraceOf"/>), so the enqueue and
/// every attempt, on whichever node and however far apart, are one trace without a stored trace context
/// (docs/decisions/048). The enqueue links to what queued the message (a request, a flow run).
/// </summary>
public static class DeliveryTraces
{
    public const string EnqueueName = "delivery enqueue";
    public const string AttemptName = "delivery attempt";
    public const string MessageIdTag = "portal.message.id";

    public static void Enqueued(OutboxMessage message)
    {
        if (!PortalTelemetry.Source.HasListeners())
        {
            return;
        }

        var links = Activity.Current is { } caller ? new[] { new ActivityLink(caller.Context) } : null;
        using var activity = PortalTelemetry.Source.StartActivity(EnqueueName, ActivityKind.Producer, PortalTelemetry.TraceOf(message.Id), links: links);
        activity?.SetTag(MessageIdTag, message.Id.ToString());
        activity?.SetTag("portal.integration.id", message.IntegrationId.ToString());
        activity?.SetTag("portal.event.type", message.EventType);
    }

    /// <summary>Started before the send; the sender's own HTTP calls become its children.</summary>
    public static Activity? AttemptStarted(OutboxMessage message)
    {
        var activity = PortalTelemetry.Source.StartActivity(AttemptName, ActivityKind.Client, PortalTelemetry.TraceOf(message.Id));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessageIdTag, message.Id.ToString());
            activity.SetTag("portal.integration.id", message.IntegrationId.ToString());
            activity.SetTag("portal.attempt", message.TotalAttempts + 1);
        }

        return activity;
    }

    public static void AttemptEnded(Activity? activity, DeliveryOutcome outcome, string integrationType)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("outcome", DeliveryTelemetry.OutcomeName(outcome));
        activity.SetTag("integration.type", integrationType);
        if (!outcome.Succeeded)
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome.ErrorClass);
        }
    }
}
