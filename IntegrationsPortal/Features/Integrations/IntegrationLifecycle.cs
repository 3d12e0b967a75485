namespace IntegrationsPortal.Features.Integrations;

public enum IntegrationStatus
{
    PendingVerify,
    Active,
    Inactive,
    Error,
}

public enum LifecycleEvent
{
    VerificationSucceeded,
    VerificationFailed,
    Disable,
    Activate,
    CredentialsChanged,
    VerifyRequested,
    /// <summary>A provider refused the stored credentials while pulling or delivering.</summary>
    CredentialsRejected,
    /// <summary>A receiver answered 410 Gone: it will never take messages again.</summary>
    DeliveryGone,
    /// <summary>Deliveries kept failing for too long (see DeliveryOptions.FailureThreshold).</summary>
    DeliveryFailing,
}

/// <summary>
/// The one state machine for every integration: pending_verify -> active or error; active and
/// inactive swap by disable / activate (activate does not re-verify something verified before);
/// new credentials or "Verify now" go back to pending_verify; credentials a provider refuses while
/// in use put an active one in error. Everything else is refused.
/// </summary>
public static class IntegrationLifecycle
{
    public static IntegrationStatus Next(IntegrationStatus from, LifecycleEvent happening, bool everVerified) => (from, happening) switch
    {
        (IntegrationStatus.PendingVerify, LifecycleEvent.VerificationSucceeded) => IntegrationStatus.Active,
        (IntegrationStatus.PendingVerify, LifecycleEvent.VerificationFailed) => IntegrationStatus.Error,
        (IntegrationStatus.Active or IntegrationStatus.Error or IntegrationStatus.PendingVerify, LifecycleEvent.Disable) => IntegrationStatus.Inactive,
        (IntegrationStatus.Inactive, LifecycleEvent.Activate) => everVerified ? IntegrationStatus.Active : IntegrationStatus.PendingVerify,
        (_, LifecycleEvent.CredentialsChanged) => IntegrationStatus.PendingVerify,
        // From pending_verify too: "Verify now" while a retry waits starts a new generation, which replaces the waiting chain.
        (IntegrationStatus.Active or IntegrationStatus.Error or IntegrationStatus.PendingVerify, LifecycleEvent.VerifyRequested) => IntegrationStatus.PendingVerify,
        (IntegrationStatus.Active, LifecycleEvent.CredentialsRejected) => IntegrationStatus.Error,
        (IntegrationStatus.Active or IntegrationStatus.PendingVerify, LifecycleEvent.DeliveryGone or LifecycleEvent.DeliveryFailing) => IntegrationStatus.Error,
        _ => throw PortalException.Conflict(Refusal(from, happening)),
    };

    public static bool Allows(IntegrationStatus from, LifecycleEvent happening)
    {
        try
        {
            Next(from, happening, everVerified: true);
            return true;
        }
        catch (PortalException)
        {
            return false;
        }
    }

    public static string Label(IntegrationStatus status) => status switch
    {
        IntegrationStatus.PendingVerify => "pending_verify",
        IntegrationStatus.Active => "active",
        IntegrationStatus.Inactive => "inactive",
        IntegrationStatus.Error => "error",
        _ => status.ToString(),
    };

    /// <summary>The state in words, for choosers (the status filter); <see cref="Label"/> is the short code badges show.</summary>
    public static string Describe(IntegrationStatus status) => status switch
    {
        IntegrationStatus.PendingVerify => "Pending verification",
        IntegrationStatus.Active => "Active",
        IntegrationStatus.Inactive => "Inactive",
        IntegrationStatus.Error => "Error",
        _ => status.ToString(),
    };

    private static string Refusal(IntegrationStatus from, LifecycleEvent happening) => happening switch
    {
        LifecycleEvent.Activate when from == IntegrationStatus.Error => "An integration in error cannot be activated: fix its credentials or run Verify now.",
        LifecycleEvent.Activate => $"The integration is already {Label(from)}.",
        LifecycleEvent.Disable => "The integration is already inactive.",
        LifecycleEvent.VerifyRequested => "Activate the integration before verifying it.",
        _ => $"An integration that is {Label(from)} cannot take '{happening}'.",
    };
}
