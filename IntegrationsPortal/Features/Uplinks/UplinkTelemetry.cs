using System.Diagnostics;
using System.Diagnostics.Metrics;
using IntegrationsPortal.Infrastructure.Telemetry;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>Uplinks accepted (stored, not duplicates) by integration type, on the portal's meter; a backend shows the rate per second.</summary>
public sealed class UplinkTelemetry(IMeterFactory meters)
{
    public const string AcceptedName = "portal.uplinks.accepted";

    private readonly Counter<long> _accepted = PortalTelemetry.MeterFor(meters)
        .CreateCounter<long>(AcceptedName, "{uplink}", "Uplinks accepted and stored, by integration type.");

    public void Accepted(int stored, string integrationType)
    {
        if (stored > 0)
        {
            _accepted.Add(stored, new TagList { { "integration.type", integrationType } });
        }
    }
}
