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
    Catalog.IntegrationTypeRegistry types,
    IMappedResources mappedResources,
    ReadingWriter writer,
    IEnumerable<IReadingsObserver> observers,
    IngestionEvents events,
    TimeProvider time,
    ILogger<IngestionEngine> logger)
{
    /// <summary>Waits after 429/5xx: 5, 10, 20, 40, 80 s, or longer when the provider's Retry-After says so.</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(80)];

    private const int UnmappedIdsKept = 50;

    public async Task RunAsync(Guid runId, ConfiguredIntegration integration, CancellationToken ct)
    {
        var provider = types.Provider(integration.Type.Key)
            ?? throw new InvalidOperationException($"No ingress provider for {integration.Type.Key}.");
        var run = await UpdateRunAsync(runId, r =>
        {
            r.Status = IngestionRunStatus.Running;
            r.StartedAt ??= time.GetUtcNow();
        }, ct);
        if (run is null)
        {
            return;
        }

        var (byExternalId, places) = await ResourcesAsync(integration, run, ct);
        if (integration.Type.Category == Categories.Weather && WithoutCoordinates(byExternalId, places) is { } note)
        {
            await UpdateRunAsync(runId, r => r.Note = note, ct);
        }

        try
        {
            while (run.WindowsDone < run.WindowsTotal)
            {
                if (await IsCancellingAsync(runId, ct))
                {
                    await UpdateRunAsync(runId, r => Finish(r, IngestionRunStatus.Cancelled, null), ct);
                    return;
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
                        return;
                    }
                }
                while (cursor is not null);
            }

            await UpdateRunAsync(runId, r => Finish(r, IngestionRunStatus.Completed, null), ct);
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
            await UpdateRunAsync(runId, r => Finish(r, IngestionRunStatus.Failed, message), ct);
            if (e is ProviderAuthenticationException)
            {
                throw; // the job moves the integration to error
            }
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

    private async Task<bool> IsCancellingAsync(Guid runId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<IngestionRun>().AnyAsync(r => r.Id == runId && r.Status == IngestionRunStatus.Cancelling, ct);
    }

    private void Finish(IngestionRun run, IngestionRunStatus status, string? error)
    {
        run.Status = status;
        run.Error = error is null ? null : Limits.Shorten(error);
        run.FinishedAt = time.GetUtcNow();
    }

    private async Task<IngestionRun?> UpdateRunAsync(Guid runId, Action<IngestionRun> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Set<IngestionRun>().SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null)
        {
            return null;
        }

        // A cancel requested while this window ran must not be overwritten by the progress update.
        var cancelling = run.Status == IngestionRunStatus.Cancelling;
        change(run);
        if (cancelling && run.Status == IngestionRunStatus.Running)
        {
            run.Status = IngestionRunStatus.Cancelling;
        }

        await db.SaveChangesAsync(ct);
        events.Publish(run.IntegrationId);
        return run;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
