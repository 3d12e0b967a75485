using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Ingestion;

public sealed record BackfillInput(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string>? ResourcePaths = null);

/// <summary>What a backfill will do before it starts: how many windows and about how many requests.</summary>
public sealed record BackfillPreview(int Windows, int Resources, int EstimatedRequests, TimeSpan WindowSize);

public sealed record IngestionRunView(
    Guid Id, IngestionKind Kind, IngestionRunStatus Status, DateTimeOffset From, DateTimeOffset To, int WindowsDone, int WindowsTotal,
    DateTimeOffset CurrentWindowStart, long ReadingsWritten, long UnmappedReadings, IReadOnlyList<string> UnmappedExternalIds,
    string? Error, string? Note, string RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt) : IGridRow
{
    public double Progress => WindowsTotal == 0 ? 1 : (double)WindowsDone / WindowsTotal;

    /// <summary>Whether the run's status lets <paramref name="happening"/> happen now (which buttons the panel offers).</summary>
    public bool Allows(IngestionRunEvent happening) => IngestionRunLifecycle.Allows(Kind, Status, happening);

    object IGridRow.RowKey => Id;

    /// <summary>The same row whatever else changed, so a live grid updates it in place (docs/decisions/040).</summary>
    public bool Equals(IngestionRunView? other) => GridRow.Same(this, other);

    public override int GetHashCode() => GridRow.Hash(this);
}

/// <summary>
/// Backfills and pulls of ingress integrations: the rules (what may be backfilled, how it is split
/// into windows), starting and cancelling, and the list of runs. The work itself runs in
/// <see cref="BackfillJob"/> and <see cref="PullJob"/> through <see cref="IngestionEngine"/>.
/// </summary>
public sealed class IngestionService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    IMappedResources mappedResources,
    IngestionScheduler scheduler,
    IngestionEvents events,
    TimeProvider time)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(1);
    public static readonly TimeSpan MaxBackfillRange = TimeSpan.FromDays(731);

    /// <summary>A pull re-reads this much before the last pull's end: providers publish late data.</summary>
    public static readonly TimeSpan PullLookback = TimeSpan.FromHours(1);

    public async Task<BackfillPreview> PreviewBackfillAsync(Guid integrationId, BackfillInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see backfills");
        var (type, _) = await FindIngressAsync(integrationId, ct);
        Validate(input);
        var windows = WindowCount(input.From, input.To, DefaultWindow);
        var resources = (await mappedResources.ByExternalIdAsync(integrationId, ct)).Values
            .Count(path => input.ResourcePaths is not { Count: > 0 } || input.ResourcePaths.Contains(path));
        // Weather asks once per place and window; the paged APIs ask once per window (more if they page).
        var requests = type.Category == Categories.Weather ? windows * resources : windows;
        return new BackfillPreview(windows, resources, requests, DefaultWindow);
    }

    /// <summary>Accepts a backfill and returns its run id at once; the job does the work.</summary>
    public async Task<Guid> StartBackfillAsync(Guid integrationId, BackfillInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "start backfills");
        var (type, status) = await FindIngressAsync(integrationId, ct);
        if (status != IntegrationStatus.Active)
        {
            throw PortalException.Conflict($"Only an active integration can backfill; this one is {IntegrationLifecycle.Label(status)}.");
        }

        Validate(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Set<IngestionRun>().WhereInFlight().AnyAsync(r => r.IntegrationId == integrationId && r.Kind == IngestionKind.Backfill, ct))
        {
            throw PortalException.Conflict("A backfill of this integration is already running; cancel it or wait for it to finish.");
        }

        var run = new IngestionRun
        {
            Id = Guid.CreateVersion7(),
            IntegrationId = integrationId,
            Kind = IngestionKind.Backfill,
            Status = IngestionRunStatus.Queued,
            From = input.From.ToUniversalTime(),
            To = input.To.ToUniversalTime(),
            WindowSize = DefaultWindow,
            WindowsTotal = WindowCount(input.From, input.To, DefaultWindow),
            ResourcePaths = input.ResourcePaths?.ToList() ?? [],
            RequestedBy = currentUser.UserName,
            CreatedAt = time.GetUtcNow(),
        };
        db.Add(run);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "ingestion.backfill_started",
            $"Backfill of {type.DisplayName} from {run.From:yyyy-MM-dd} to {run.To:yyyy-MM-dd} ({run.WindowsTotal} windows)."));
        await db.SaveChangesAsync(ct);
        await scheduler.EnqueueBackfillAsync(currentUser.RequireOrganization(), run.Id, ct);
        events.Publish(integrationId);
        return run.Id;
    }

    /// <summary>
    /// The run of one scheduled pull, queued from where the last completed pull ended (less <see cref="PullLookback"/>)
    /// to now; none for an integration that does not pull now (disabled, in error, deleted) or a suspended
    /// organization (the schedule sweep removes the trigger).
    /// </summary>
    public async Task<Guid?> QueuePullAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "pull");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == integrationId, ct);
        if (integration is not { Status: IntegrationStatus.Active } || await db.IsSuspendedAsync(currentUser.RequireOrganization(), ct))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var lastEnd = await db.Set<IngestionRun>()
            .Where(r => r.IntegrationId == integrationId && r.Kind == IngestionKind.Pull && r.Status == IngestionRunStatus.Completed)
            .OrderByDescending(r => r.CreatedAt).Select(r => (DateTimeOffset?)r.To).FirstOrDefaultAsync(ct);
        var from = (lastEnd ?? now - IngestionScheduleJob.IntervalOf(integration)) - PullLookback;
        var run = new IngestionRun
        {
            Id = Guid.CreateVersion7(),
            IntegrationId = integrationId,
            Kind = IngestionKind.Pull,
            Status = IngestionRunStatus.Queued,
            From = from,
            To = now,
            WindowSize = DefaultWindow,
            WindowsTotal = WindowCount(from, now, DefaultWindow),
            RequestedBy = "schedule",
            CreatedAt = now,
        };
        db.Add(run);
        await db.SaveChangesAsync(ct);
        return run.Id;
    }

    /// <summary>Pulls now instead of waiting for the next scheduled pull; the run shows in the list as it goes.</summary>
    public async Task PullNowAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "pull now");
        var (_, status) = await FindIngressAsync(integrationId, ct);
        if (status != IntegrationStatus.Active)
        {
            throw PortalException.Conflict($"Only an active integration pulls; this one is {IntegrationLifecycle.Label(status)}.");
        }

        await scheduler.PullNowAsync(currentUser.RequireOrganization(), integrationId, ct);
    }

    /// <summary>Stops a run after its current window; a queued one stops at once.</summary>
    public async Task CancelAsync(Guid runId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "cancel backfills");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Set<IngestionRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct) ?? throw PortalException.NotFound("The run");
        await db.MoveAsync(runId, IngestionRunEvent.CancelRequested, time.GetUtcNow(), ct);
        events.Publish(run.IntegrationId);
    }

    /// <summary>Continues a cancelled or failed backfill from the window it stopped at; nothing done is redone.</summary>
    public async Task ResumeAsync(Guid runId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "resume backfills");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Set<IngestionRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct) ?? throw PortalException.NotFound("The run");
        _ = IngestionRunLifecycle.Next(run.Kind, run.Status, IngestionRunEvent.ResumeRequested); // refuses with the table's reason before anything else is checked

        // Queued for an integration that does not pull, it would fail again without a word.
        var (_, status) = await FindIngressAsync(run.IntegrationId, ct);
        if (status != IntegrationStatus.Active)
        {
            throw PortalException.Conflict(WhyNotResumable(status));
        }

        if (await db.Set<IngestionRun>().WhereInFlight().AnyAsync(r => r.IntegrationId == run.IntegrationId && r.Kind == IngestionKind.Backfill, ct))
        {
            throw PortalException.Conflict("Another backfill of this integration is running; wait for it or cancel it first.");
        }

        await db.MoveAsync(runId, IngestionRunEvent.ResumeRequested, time.GetUtcNow(), ct);
        await scheduler.EnqueueBackfillAsync(run.OrganizationId, run.Id, ct);
        events.Publish(run.IntegrationId);
    }

    /// <summary>Why a backfill of an integration in <paramref name="status"/> cannot resume (the panel says so instead of offering Resume).</summary>
    public static string WhyNotResumable(IntegrationStatus status) =>
        $"Resume once the integration is active again; it is {IntegrationLifecycle.Label(status)}" +
        (status == IntegrationStatus.Error ? " (replace its credentials, or verify it again)." : ".");

    public async Task<IReadOnlyList<IngestionRunView>> ListRunsAsync(Guid integrationId, int take = 50, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see pulls and backfills");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var runs = await db.Set<IngestionRun>().AsNoTracking()
            .Where(r => r.IntegrationId == integrationId)
            .OrderByDescending(r => r.CreatedAt)
            .Take(Math.Clamp(take, 1, 500))
            .ToListAsync(ct);
        return runs.Select(View).ToList();
    }

    /// <summary>The latest requests to the provider, newest first, for the History tab.</summary>
    public async Task<IReadOnlyList<IngestionRequestView>> ListRequestsAsync(Guid integrationId, int take = 200, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see pulls and backfills");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (from r in db.Set<IngestionRequest>().AsNoTracking()
                      join run in db.Set<IngestionRun>() on r.RunId equals run.Id
                      where r.IntegrationId == integrationId
                      orderby r.At descending
                      select new IngestionRequestView(r.At, run.Kind, r.DurationMs, r.StatusCode, r.Readings, r.Outcome))
            .Take(Math.Clamp(take, 1, 1000))
            .ToListAsync(ct);
    }

    public static IngestionRunView View(IngestionRun r) => new(
        r.Id, r.Kind, r.Status, r.From, r.To, r.WindowsDone, r.WindowsTotal, r.CurrentWindowStart, r.ReadingsWritten, r.UnmappedReadings,
        r.UnmappedExternalIds, r.Error, r.Note, r.RequestedBy, r.CreatedAt, r.StartedAt, r.FinishedAt);

    public static int WindowCount(DateTimeOffset from, DateTimeOffset to, TimeSpan window) =>
        (int)Math.Ceiling((to - from).Ticks / (double)window.Ticks);

    private void Validate(BackfillInput input)
    {
        var errors = new Dictionary<string, string[]>();
        if (input.From >= input.To)
        {
            errors["From"] = ["The start must be before the end."];
        }

        if (input.To > time.GetUtcNow().AddMinutes(5))
        {
            errors["To"] = ["A backfill ends now at the latest."];
        }

        if (input.To - input.From > MaxBackfillRange)
        {
            errors["From"] = ["A backfill covers at most two years; split it into several."];
        }

        if (errors.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, string.Join(" ", errors.Values.SelectMany(e => e)), errors);
        }
    }

    private async Task<(IntegrationType Type, IntegrationStatus Status)> FindIngressAsync(Guid integrationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().AsNoTracking()
            .Where(i => i.Id == integrationId).Select(i => new { i.TypeKey, i.Status }).SingleOrDefaultAsync(ct)
            ?? throw PortalException.NotFound("The integration");
        var type = CatalogService.Get(integration.TypeKey);
        return type.Direction == IntegrationDirection.Ingress && type.Can(Capabilities.Backfill)
            ? (type, integration.Status)
            : throw PortalException.Conflict($"{type.DisplayName} does not pull data, so it has nothing to backfill.");
    }
}
