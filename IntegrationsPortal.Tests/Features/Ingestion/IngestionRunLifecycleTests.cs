using IntegrationsPortal.Features.Ingestion;

namespace IntegrationsPortal.Tests.Features.Ingestion;

public sealed class IngestionRunLifecycleTests
{
    private const IngestionRunStatus Queued = IngestionRunStatus.Queued;
    private const IngestionRunStatus Running = IngestionRunStatus.Running;
    private const IngestionRunStatus Cancelling = IngestionRunStatus.Cancelling;
    private const IngestionRunStatus Cancelled = IngestionRunStatus.Cancelled;
    private const IngestionRunStatus Completed = IngestionRunStatus.Completed;
    private const IngestionRunStatus Failed = IngestionRunStatus.Failed;
    private const IngestionKind Backfill = IngestionKind.Backfill;
    private const IngestionKind Pull = IngestionKind.Pull;

    // Every (kind, state, event) the portal allows, and where it leads.
    public static TheoryData<IngestionKind, IngestionRunStatus, IngestionRunEvent, IngestionRunStatus> Allowed
    {
        get
        {
            var rows = new TheoryData<IngestionKind, IngestionRunStatus, IngestionRunEvent, IngestionRunStatus>();
            foreach (var kind in new[] { Backfill, Pull })
            {
                rows.Add(kind, Queued, IngestionRunEvent.Started, Running);
                rows.Add(kind, Running, IngestionRunEvent.Started, Running);
                rows.Add(kind, Cancelling, IngestionRunEvent.Started, Cancelling);
                rows.Add(kind, Queued, IngestionRunEvent.CancelRequested, Cancelled);
                rows.Add(kind, Running, IngestionRunEvent.CancelRequested, Cancelling);
                rows.Add(kind, Cancelling, IngestionRunEvent.StoppedForCancel, Cancelled);
                rows.Add(kind, Running, IngestionRunEvent.AllWindowsDone, Completed);
                rows.Add(kind, Cancelling, IngestionRunEvent.AllWindowsDone, Completed);
                rows.Add(kind, Running, IngestionRunEvent.Failed, Failed);
                rows.Add(kind, Cancelling, IngestionRunEvent.Failed, Failed);
            }

            rows.Add(Backfill, Cancelled, IngestionRunEvent.ResumeRequested, Queued);
            rows.Add(Backfill, Failed, IngestionRunEvent.ResumeRequested, Queued);
            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void AllowedTransition_LeadsToTheNextState(IngestionKind kind, IngestionRunStatus from, IngestionRunEvent happening, IngestionRunStatus to)
    {
        Assert.Equal(to, IngestionRunLifecycle.Next(kind, from, happening));
        Assert.True(IngestionRunLifecycle.Allows(kind, from, happening));
    }

    [Fact]
    public void EveryOtherTransition_IsRefusedAsAConflict()
    {
        var allowed = Allowed.Select(row => (row.Data.Item1, row.Data.Item2, row.Data.Item3)).ToHashSet();
        var refused = Enum.GetValues<IngestionKind>()
            .SelectMany(kind => Enum.GetValues<IngestionRunStatus>().SelectMany(from => Enum.GetValues<IngestionRunEvent>().Select(happening => (kind, from, happening))))
            .Where(triple => !allowed.Contains(triple))
            .ToList();

        Assert.Equal(Enum.GetValues<IngestionKind>().Length * Enum.GetValues<IngestionRunStatus>().Length * Enum.GetValues<IngestionRunEvent>().Length - allowed.Count, refused.Count);
        Assert.All(refused, triple =>
        {
            Assert.False(IngestionRunLifecycle.Allows(triple.kind, triple.from, triple.happening));
            var error = Assert.Throws<PortalException>(() => IngestionRunLifecycle.Next(triple.kind, triple.from, triple.happening));
            Assert.Equal(PortalErrorKind.Conflict, error.Kind);
        });
    }

    [Theory]
    [InlineData(Cancelled)]
    [InlineData(Completed)]
    [InlineData(Failed)]
    public void FinishedRun_IsNotStartedCompletedOrFailedAgain_ByAJobThatEndsLate(IngestionRunStatus finished)
    {
        Assert.False(IngestionRunLifecycle.IsInFlight(finished));
        Assert.All([IngestionRunEvent.Started, IngestionRunEvent.AllWindowsDone, IngestionRunEvent.Failed, IngestionRunEvent.StoppedForCancel],
            happening => Assert.False(IngestionRunLifecycle.Allows(Backfill, finished, happening)));
    }

    [Fact]
    public void InFlight_IsWhatAJobStillOwesWork_AndOnlyARunningRunTakesAnotherWindow()
    {
        Assert.Equal([Queued, Running, Cancelling], IngestionRunLifecycle.InFlight);
        Assert.Equal([Running], Enum.GetValues<IngestionRunStatus>().Where(IngestionRunLifecycle.TakesAnotherWindow));
    }

    [Theory]
    [InlineData(Backfill, Completed, IngestionRunEvent.CancelRequested, "The run is already completed.")]
    [InlineData(Backfill, Cancelling, IngestionRunEvent.CancelRequested, "The run is already cancelling.")]
    [InlineData(Pull, Failed, IngestionRunEvent.CancelRequested, "The run is already failed.")]
    [InlineData(Backfill, Running, IngestionRunEvent.ResumeRequested, "Only a cancelled or failed backfill can be resumed.")]
    [InlineData(Pull, Failed, IngestionRunEvent.ResumeRequested, "Only a cancelled or failed backfill can be resumed.")]
    public void RefusedTransition_SaysWhy(IngestionKind kind, IngestionRunStatus from, IngestionRunEvent happening, string message)
    {
        Assert.Equal(message, Assert.Throws<PortalException>(() => IngestionRunLifecycle.Next(kind, from, happening)).Message);
    }
}
