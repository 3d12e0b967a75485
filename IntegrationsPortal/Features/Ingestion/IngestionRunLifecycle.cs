namespace IntegrationsPortal.Features.Ingestion;

/// <summary>What can happen to a pull or backfill run; <see cref="IngestionRunLifecycle"/> says where each leads.</summary>
public enum IngestionRunEvent
{
    /// <summary>A job picks the run up: the first time, or again after the portal restarted in the middle of it.</summary>
    Started,

    /// <summary>The operator presses Cancel.</summary>
    CancelRequested,

    /// <summary>The engine, between two windows, finds a cancel was asked for and stops.</summary>
    StoppedForCancel,

    /// <summary>The engine finished the last window.</summary>
    AllWindowsDone,

    /// <summary>The provider failed for good (refused credentials, malformed pages, out of retries).</summary>
    Failed,

    /// <summary>The operator resumes a stopped backfill from the window it stopped at.</summary>
    ResumeRequested,
}

/// <summary>
/// The one state machine for pull and backfill runs, which the service, the engine, the jobs and the
/// panel all ask: queued -> running -> completed or failed; cancel stops a queued run at once and a
/// running one after its current window (cancelling -> cancelled); a cancelled or failed backfill
/// resumes as queued. A finished run stays finished: a job that ends late cannot turn a cancelled run
/// into a completed one. Everything else is refused.
/// </summary>
public static class IngestionRunLifecycle
{
    /// <summary>
    /// Runs a job still owes work to (or a stop): at most one backfill per integration may be in flight,
    /// and the schedule sweep queues these again after a restart. Filter queries with <see cref="WhereInFlight"/>.
    /// </summary>
    public static readonly IReadOnlyList<IngestionRunStatus> InFlight =
        [IngestionRunStatus.Queued, IngestionRunStatus.Running, IngestionRunStatus.Cancelling];

    public static IngestionRunStatus Next(IngestionKind kind, IngestionRunStatus from, IngestionRunEvent happening) => (from, happening) switch
    {
        (IngestionRunStatus.Queued or IngestionRunStatus.Running, IngestionRunEvent.Started) => IngestionRunStatus.Running,
        // Picked up again after a restart with a cancel pending: the engine stops before its first window.
        (IngestionRunStatus.Cancelling, IngestionRunEvent.Started) => IngestionRunStatus.Cancelling,
        (IngestionRunStatus.Queued, IngestionRunEvent.CancelRequested) => IngestionRunStatus.Cancelled,
        (IngestionRunStatus.Running, IngestionRunEvent.CancelRequested) => IngestionRunStatus.Cancelling,
        (IngestionRunStatus.Cancelling, IngestionRunEvent.StoppedForCancel) => IngestionRunStatus.Cancelled,
        // A cancel asked for during the last window comes too late to stop anything: the work is done.
        (IngestionRunStatus.Running or IngestionRunStatus.Cancelling, IngestionRunEvent.AllWindowsDone) => IngestionRunStatus.Completed,
        (IngestionRunStatus.Running or IngestionRunStatus.Cancelling, IngestionRunEvent.Failed) => IngestionRunStatus.Failed,
        // A pull is not resumed: the next pull starts where the last completed one ended.
        (IngestionRunStatus.Cancelled or IngestionRunStatus.Failed, IngestionRunEvent.ResumeRequested) when kind == IngestionKind.Backfill => IngestionRunStatus.Queued,
        _ => throw PortalException.Conflict(Refusal(kind, from, happening)),
    };

    public static bool Allows(IngestionKind kind, IngestionRunStatus from, IngestionRunEvent happening)
    {
        try
        {
            Next(kind, from, happening);
            return true;
        }
        catch (PortalException)
        {
            return false;
        }
    }

    public static bool IsInFlight(IngestionRunStatus status) => InFlight.Contains(status);

    /// <summary>
    /// Whether the engine goes on to the next window: only while running. A cancelling run stops
    /// (<see cref="IngestionRunEvent.StoppedForCancel"/>); a finished one is left as it is.
    /// </summary>
    public static bool TakesAnotherWindow(IngestionRunStatus status) => status == IngestionRunStatus.Running;

    /// <summary>The in-flight runs of <paramref name="runs"/>, as SQL (<c>status IN (...)</c>).</summary>
    public static IQueryable<IngestionRun> WhereInFlight(this IQueryable<IngestionRun> runs) =>
        runs.Where(r => InFlight.Contains(r.Status));

    /// <summary>The status as the panel and the messages show it.</summary>
    public static string Label(IngestionRunStatus status) => status.ToString().ToLowerInvariant();

    private static string Refusal(IngestionKind kind, IngestionRunStatus from, IngestionRunEvent happening) => happening switch
    {
        IngestionRunEvent.CancelRequested => $"The run is already {Label(from)}.",
        IngestionRunEvent.ResumeRequested => "Only a cancelled or failed backfill can be resumed.",
        _ => $"A {kind.ToString().ToLowerInvariant()} run that is {Label(from)} cannot take '{happening}'.",
    };
}
