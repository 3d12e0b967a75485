using System.Diagnostics;
using System.Diagnostics.Metrics;
using IntegrationsPortal.Infrastructure.Telemetry;

namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>Verification attempts by outcome (<c>verified</c>, <c>failed</c>, <c>retry</c>) and integration type, on the portal's meter.</summary>
public sealed class VerificationTelemetry(IMeterFactory meters)
{
    public const string VerificationsName = "portal.verifications";

    private readonly Counter<long> _verifications = PortalTelemetry.MeterFor(meters)
        .CreateCounter<long>(VerificationsName, "{verification}", "Verification attempts, by outcome and integration type.");

    public void Ended(VerificationResult result, string integrationType) =>
        _verifications.Add(1, new TagList
        {
            { "outcome", result.Succeeded ? "verified" : result.Transient ? "retry" : "failed" },
            { "integration.type", integrationType },
        });
}
