namespace IntegrationsPortal.Features.Flows;

public enum FlowState
{
    /// <summary>Never deployed: it has only a draft, and nothing runs.</summary>
    Draft,
    /// <summary>A deployed version runs on every matching reading.</summary>
    Deployed,
    /// <summary>Switched off: the deployed version is kept but does not run.</summary>
    Disabled,
}

public enum FlowEvent
{
    SaveDraft,
    Deploy,
    Disable,
    Enable,
}

/// <summary>
/// The one state table for flows, shaped like IntegrationLifecycle: draft -> deployed by Deploy;
/// deployed and disabled swap by Disable / Enable; saving the draft never changes what runs, and
/// deploying again replaces the running version (a disabled flow stays disabled, so an operator can
/// stage a fix before switching it back on). Everything else is refused with words to act on.
/// </summary>
public static class FlowLifecycle
{
    public static FlowState StateOf(bool deployed, bool enabled) =>
        !deployed ? FlowState.Draft : enabled ? FlowState.Deployed : FlowState.Disabled;

    public static FlowState Next(FlowState from, FlowEvent happening) => (from, happening) switch
    {
        (_, FlowEvent.SaveDraft) => from,
        (FlowState.Draft or FlowState.Deployed, FlowEvent.Deploy) => FlowState.Deployed,
        (FlowState.Disabled, FlowEvent.Deploy) => FlowState.Disabled,
        (FlowState.Deployed, FlowEvent.Disable) => FlowState.Disabled,
        (FlowState.Disabled, FlowEvent.Enable) => FlowState.Deployed,
        _ => throw PortalException.Conflict(Refusal(from, happening)),
    };

    public static bool Allows(FlowState from, FlowEvent happening)
    {
        try
        {
            Next(from, happening);
            return true;
        }
        catch (PortalException)
        {
            return false;
        }
    }

    public static string Label(FlowState state) => state switch
    {
        FlowState.Draft => "draft",
        FlowState.Deployed => "deployed",
        FlowState.Disabled => "disabled",
        _ => state.ToString(),
    };

    private static string Refusal(FlowState from, FlowEvent happening) => (from, happening) switch
    {
        (FlowState.Draft, FlowEvent.Disable or FlowEvent.Enable) => "A draft never runs: deploy the flow first.",
        (FlowState.Deployed, FlowEvent.Enable) => "The flow is already enabled.",
        (FlowState.Disabled, FlowEvent.Disable) => "The flow is already disabled.",
        _ => $"A flow that is {Label(from)} cannot take '{happening}'.",
    };
}
