using System.Diagnostics;
using System.Diagnostics.Metrics;
using IntegrationsPortal.Infrastructure.Telemetry;

namespace IntegrationsPortal.Features.Flows;

/// <summary>Flow runs recorded, by status (<c>completed</c>, <c>dropped</c>, <c>failed</c>), on the portal's meter.</summary>
public sealed class FlowTelemetry(IMeterFactory meters)
{
    public const string RunsName = "portal.flow.runs";

    private readonly Counter<long> _runs = PortalTelemetry.MeterFor(meters)
        .CreateCounter<long>(RunsName, "{run}", "Flow runs recorded, by status.");

    public void RunRecorded(FlowRunStatus status) =>
        _runs.Add(1, new TagList
        {
            {
                "status", status switch
                {
                    FlowRunStatus.Completed => "completed",
                    FlowRunStatus.Dropped => "dropped",
                    _ => "failed",
                }
            },
        });
}
