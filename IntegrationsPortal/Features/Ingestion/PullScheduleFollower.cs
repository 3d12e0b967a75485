using IntegrationsPortal.Features.Integrations;
using Quartz;

namespace IntegrationsPortal.Features.Ingestion;

/// <summary>
/// Runs the pull-schedule sweep as soon as an integration changes (verified, disabled, put in error),
/// so a newly active integration has its next pull at once and one in error has none, instead of
/// waiting up to a minute for the sweep's own trigger. Sweeps run one at a time.
/// </summary>
public sealed class PullScheduleFollower(
    IntegrationEvents integrations, ISchedulerFactory schedulers, IServiceProvider services, ILogger<PullScheduleFollower> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _oneSweep = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        integrations.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        integrations.Changed -= OnChanged;
        await _stopping.CancelAsync();
    }

    private void OnChanged(Guid integrationId) => _ = SweepAsync();

    public async Task SweepAsync()
    {
        var ct = _stopping.Token;
        try
        {
            await _oneSweep.WaitAsync(ct);
            try
            {
                var scheduler = await schedulers.GetScheduler(ct);
                await ActivatorUtilities.CreateInstance<IngestionScheduleJob>(services).SweepAsync(scheduler, ct);
            }
            finally
            {
                _oneSweep.Release();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping: the sweep's own trigger catches up after the next start
        }
        catch (Exception e) when (e is SchedulerException or DbUpdateException or InvalidOperationException)
        {
            logger.LogWarning(e, "Updating the pull schedules after an integration changed failed; the next sweep retries within a minute.");
        }
    }

    /// <summary>
    /// Cancels rather than disposes the stopping source, as <see cref="BackgroundService"/> does: a host can be
    /// stopped after it was disposed (a test host whose app's own Run had already stopped and disposed it;
    /// seen in CI as an ObjectDisposedException from <see cref="StopAsync"/>), and cancelling twice is harmless.
    /// The source has no timer, so nothing is left undisposed that holds a resource.
    /// </summary>
    public void Dispose()
    {
        _oneSweep.Dispose();
        _stopping.Cancel();
    }
}
