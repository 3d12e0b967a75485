using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Ingestion.Providers;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>
/// Runs a pull or backfill window by window: asks the provider page by page, maps external ids to
/// resources, writes through <see cref="ReadingWriter"/>, and saves progress (window, cursor,
/// counts) after every page, so a crash resumes where it stopped and re-reads at most one page
/// (the upsert makes that harmless). Cancellation is honoured between windows.
/// </summary>
public sealed class IngestionEngine(
    IDbContextFactory<PortalDbContext> dbFactory,
    Catalog.TypeCode<IIngressProvider> providers,
    IMappedResources mappedResources,
    ReadingWriter writer,
    IEnumerable<IReadingsObserver> observers,
    IngestionEvents events,
    IntegrationSecrets secrets,
    IntegrationStatusRecorder statusRecorder,
    TimeProvider time,
    IngestionTelemetry telemetry,
    ILogger<IngestionEngine> logger)
{
    /// <summary>Waits after 429/5xx: 5, 10, 20, 40, 80 s, or longer when the provider's Retry-After says so.</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(80)];

    private const int UnmappedIdsKept = 50;

    /// <summary>
    /// What a pull or backfill job does with its run, as the system of <paramref name="organizationId"/>: runs it
    /// unless it is finished or the organization is suspended (a suspended organization's backfill stays queued;
    /// the schedule sweep picks it up after the suspension ends), and puts the integration in error when the
    /// provider refuses its credentials.
    /// </summary>
    public async Task RunQueuedAsync(Guid organizationId, Guid runId, CancellationToken ct)
    {
        Guid integrationId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var run = await db.Set<IngestionRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
            if (run is null || !IngestionRunLifecycle.Allows(run.Kind, run.Status, IngestionRunEvent.Started) || await db.IsSuspendedAsync(organizationId, ct))
            {
                return;
            }

            integrationId = run.IntegrationId;
        }

        ConfiguredIntegration integration;
        try
        {
            integration = await secrets.GetConfigurationAsync(integrationId, Audit.CredentialPurpose.Pull, 1, ct);
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.NotFound)
        {
            return; // deleted meanwhile
        }

        try
        {
            await RunAsync(runId, integration, ct);
        }
        catch (ProviderAuthenticationException e)
        {
            await statusRecorder.RecordProblemAsync(integration.Id, LifecycleEvent.CredentialsRejected, e.Message, ct);
        }
    }

    public async Task RunAsync(Guid runId, ConfiguredIntegration integration, CancellationToken ct)
    {
        var provider = providers.For(integration.Type.Key)
            ?? throw new InvalidOperationException($"No ingress provider for {integration.Type.Key}.");
        // A finished run (cancelled while its job waited, say) is left alone.
        if (await MoveAsync(runId, integration.Id, IngestionRunEvent.Started, ct) is null || await LoadAsync(runId, ct) is not { } run)
        {
            return;
        }

        var started = time.GetTimestamp();
        var outcome = "failed";
        try
        {
            outcome = await RunWindowsAsync(provider, integration, run, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = "stopped";
            throw;
        }
        finally
        {
            telemetry.RunEnded(run.Kind, outcome, integration.Type.Key, time.GetElapsedTime(started));
        }
    }

    /// <summary>The run's windows page by page; returns how it ended: <c>completed</c>, <c>stopped</c> or <c>failed</c>.</summary>
    private async Task<string> RunWindowsAsync(IIngressProvider provider, ConfiguredIntegration integration, IngestionRun run, CancellationToken ct)
    {
        var runId = run.Id;
        var (byExternalId, places) = await ResourcesAsync(integration, run, ct);
        if (integration.Type.Category == Categories.Weather && WithoutCoordinates(byExternalId, places) is { } note)
        {
            await SetNoteAsync(runId, note, ct);
        }

        try
        {
            while (run.WindowsDone < run.WindowsTotal)
            {
                // Between windows: a cancel asked for meanwhile stops the run here.
                if (await StatusAsync(runId, ct) is not { } status || !IngestionRunLifecycle.TakesAnotherWindow(status))
                {
                    await MoveAsync(runId, integration.Id, IngestionRunEvent.StoppedForCancel, ct);
                    return "stopped";
                }

                var windowStart = run.CurrentWindowStart;
                var windowEnd = Min(windowStart + run.WindowSize, run.To);
                var cursor = run.Cursor;
                do
                {
                    var page = await FetchWithRetriesAsync(provider, integration, run,
                        new IngressRequest(windowStart, windowEnd, cursor, byExternalId.Keys.ToList(), places), ct);
                    var (readings, unmapped) = Resolve(page.Readings, byExternalId, windowStart, windowEnd);
                    var written = await writer.WriteAsync(integration.Id, readings, ct);
                    foreach (var observer in observers)
                    {
                        await observer.ReadingsWrittenAsync(new WrittenReadings(integration.Id, run.Kind, readings), ct);
                    }

                    cursor = page.NextCursor;
                    if (!await SaveProgressAsync(run, written, unmapped, cursor, ct))
                    {
                        return "stopped";
                    }
                }
                while (cursor is not null);
            }

            await MoveAsync(runId, integration.Id, IngestionRunEvent.AllWindowsDone, ct);
            return "completed";
        }
        catch (Exception e) when (e is ProviderAuthenticationException or ProviderFormatException or ProviderUnavailableException
                                       or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var redactor = SecretRedactor.For(integration);
            logger.LogWarning("Ingestion run {RunId} of integration {IntegrationId} failed: {Reason}", runId, integration.Id, redactor.Redact(e.Message));
            var message = redactor.Redact(e switch
            {
                // Never retried: the address stays refused until the base URL or the allowlist changes.
                _ when OutboundAddressPolicy.FindRefusal(e) is { } refused => refused.Message,
                ProviderUnavailableException => $"{e.Message} Gave up after {RetryDelays.Count} retries; the next run resumes from here.",
                HttpRequestException or TaskCanceledException => "Could not reach the provider; the next run resumes from here.",
                _ => e.Message,
            });
            await MoveAsync(runId, integration.Id, IngestionRunEvent.Failed, ct, message);
            if (e is ProviderAuthenticationException)
            {
                throw; // the job moves the integration to error
            }

            return "failed";
        }
    }

    private async Task<IngressPage> FetchWithRetriesAsync(
        IIngressProvider provider, ConfiguredIntegration integration, IngestionRun run, IngressRequest request, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var at = time.GetUtcNow();
            var started = time.GetTimestamp();
            try
            {
                var page = await provider.FetchAsync(integration, request, ct);
                await RecordRequestAsync(run, at, started, 200, page.Readings.Count, $"{page.Readings.Count} reading(s)", ct);
                return page;
            }
            catch (ProviderUnavailableException e) when (attempt < RetryDelays.Count)
            {
                var delay = e.RetryAfter is { } hint && hint > RetryDelays[attempt] ? hint : RetryDelays[attempt];
                logger.LogInformation("Provider for {IntegrationId} unavailable ({Reason}); retrying in {Delay}", integration.Id, e.Message, delay);
                await RecordRequestAsync(run, at, started, e.StatusCode, null,
                    $"{(e.StatusCode == 429 ? "Rate limited" : "Unavailable")}; waited {delay.TotalSeconds:0} s before trying again.", ct);
                await Task.Delay(delay, time, ct);
            }
            catch (Exception e) when (e is ProviderAuthenticationException or ProviderFormatException or ProviderUnavailableException
                                           or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                var status = e switch
                {
                    ProviderAuthenticationException a => a.StatusCode,
                    ProviderFormatException f => f.StatusCode,
                    ProviderUnavailableException u => u.StatusCode,
                    _ => null,
                };
                var outcome = e is HttpRequestException or TaskCanceledException ? "Could not reach the provider." : e.Message;
                await RecordRequestAsync(run, at, started, status, null, SecretRedactor.For(integration).Redact(outcome), ct);
                throw;
            }
        }
    }

    /// <summary>One line of the History tab per request to the provider.</summary>
    private async Task RecordRequestAsync(IngestionRun run, DateTimeOffset at, long started, int? status, int? readings, string outcome, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(new IngestionRequest
        {
            Id = Guid.NewGuid(),
            OrganizationId = run.OrganizationId,
            IntegrationId = run.IntegrationId,
            RunId = run.Id,
            At = at,
            DurationMs = (int)Math.Min(int.MaxValue, time.GetElapsedTime(started).TotalMilliseconds),
            StatusCode = status,
            Readings = readings,
            Outcome = Limits.Shorten(outcome),
        });
        await db.SaveChangesAsync(ct);
    }

    private async Task<(IReadOnlyDictionary<string, string>, IReadOnlyList<PlaceCoordinates>)> ResourcesAsync(
        ConfiguredIntegration integration, IngestionRun run, CancellationToken ct)
    {
        var byExternalId = await mappedResources.ByExternalIdAsync(integration.Id, ct);
        if (run.ResourcePaths.Count > 0)
        {
            byExternalId = byExternalId.Where(m => run.ResourcePaths.Contains(m.Value)).ToDictionary();
        }

        var places = integration.Type.Category == Categories.Weather
            ? (await mappedResources.PlacesAsync(integration.Id, ct)).Where(p => byExternalId.ContainsKey(p.ExternalId)).ToList()
            : [];
        return (byExternalId, places);
    }

    /// <summary>Weather is asked for by coordinates: a mapped place without them gets none, and the run says so.</summary>
    private static string? WithoutCoordinates(IReadOnlyDictionary<string, string> byExternalId, IReadOnlyList<PlaceCoordinates> places)
    {
        var skipped = byExternalId.Keys.Except(places.Select(p => p.ExternalId)).Order(StringComparer.Ordinal).ToList();
        return skipped.Count == 0
            ? null
            : $"No weather for {skipped.Count} mapped place(s) without coordinates ({string.Join(", ", skipped.Take(5))}{(skipped.Count > 5 ? ", ..." : "")}): " +
              "add their latitude and longitude under Places.";
    }

    private static (List<NewReading> Readings, List<string> Unmapped) Resolve(
        IReadOnlyList<ExternalReading> page, IReadOnlyDictionary<string, string> byExternalId, DateTimeOffset windowStart, DateTimeOffset windowEnd)
    {
        var readings = new List<NewReading>(page.Count);
        var unmapped = new List<string>();
        // Only what was asked for: a provider that answers with the rest of the day (intervals or a
        // forecast later than now) would otherwise store readings from the future, and the chart's time
        // axis, which ends at the latest reading, would run past now. A later window asks for the rest.
        foreach (var reading in page.Where(r => r.Timestamp >= windowStart && r.Timestamp < windowEnd))
        {
            if (byExternalId.TryGetValue(reading.ExternalId, out var path))
            {
                readings.Add(new NewReading(path, reading.Metric, reading.Timestamp, reading.Value, reading.Unit));
            }
            else
            {
                unmapped.Add(reading.ExternalId);
            }
        }

        return (readings, unmapped);
    }

    /// <summary>
    /// Saves a page's progress in one UPDATE of the progress columns, and applies it to
    /// <paramref name="run"/> too. This engine is the only writer of those columns while the run is
    /// running, so the copy in memory is current; the status is left alone, so a cancel requested
    /// meanwhile stays. False when the run is gone.
    /// </summary>
    private async Task<bool> SaveProgressAsync(IngestionRun run, int written, List<string> unmapped, string? cursor, CancellationToken ct)
    {
        var windowDone = cursor is null ? 1 : 0;
        var unmappedIds = unmapped.Count == 0 ? run.UnmappedExternalIds : run.UnmappedExternalIds.Union(unmapped).Take(UnmappedIdsKept).ToList();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var updated = await db.Set<IngestionRun>().Where(r => r.Id == run.Id).ExecuteUpdateAsync(s =>
            {
                s.SetProperty(r => r.ReadingsWritten, r => r.ReadingsWritten + written)
                    .SetProperty(r => r.UnmappedReadings, r => r.UnmappedReadings + unmapped.Count)
                    .SetProperty(r => r.Cursor, cursor)
                    .SetProperty(r => r.WindowsDone, r => r.WindowsDone + windowDone);
                if (unmapped.Count > 0)
                {
                    s.SetProperty(r => r.UnmappedExternalIds, unmappedIds);
                }
            }, ct);
            if (updated == 0)
            {
                return false;
            }
        }

        run.ReadingsWritten += written;
        run.UnmappedReadings += unmapped.Count;
        run.UnmappedExternalIds = unmappedIds;
        run.Cursor = cursor;
        run.WindowsDone += windowDone;
        events.Publish(run.IntegrationId);
        return true;
    }

    private async Task SetNoteAsync(Guid runId, string note, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Set<IngestionRun>().Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Note, note), ct);
    }

    private async Task<IngestionRunStatus?> StatusAsync(Guid runId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<IngestionRun>().Where(r => r.Id == runId).Select(r => (IngestionRunStatus?)r.Status).SingleOrDefaultAsync(ct);
    }

    private async Task<IngestionRun?> LoadAsync(Guid runId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<IngestionRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
    }

    /// <summary>Moves the run along <see cref="IngestionRunLifecycle"/>; null (and nothing changed) when the run is gone or its status refuses the event.</summary>
    private async Task<IngestionRunStatus?> MoveAsync(Guid runId, Guid integrationId, IngestionRunEvent happening, CancellationToken ct, string? error = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var moved = await db.TryMoveAsync(runId, happening, time.GetUtcNow(), ct, error);
        if (moved is not null)
        {
            events.Publish(integrationId);
        }

        return moved;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
