using System.Collections.Concurrent;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Ingestion;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IntegrationsPortal.Tests.Features.Ingestion;

/// <summary>
/// A normal stop logs no errors: an open ingestion panel refreshes as the runs it shows stop, after
/// Quartz has shut down, and used to log "Scheduler has been shut down" with a stack trace each time.
/// </summary>
public sealed class ShutdownLogTests : IAsyncLifetime
{
    private readonly CapturedLogs _logs = new();
    private PortalServices _portal = default!;

    public async ValueTask InitializeAsync() =>
        _portal = await PortalServices.StartAsync(builder => builder.Logging.AddProvider(_logs));

    public ValueTask DisposeAsync() => _portal.DisposeAsync();

    [Fact]
    public async Task PortalStopping_WithAnIngestionPanelOpen_LogsNoErrors()
    {
        var integration = Guid.NewGuid();
        var scheduler = _portal.Services.GetRequiredService<IngestionScheduler>();
        var events = _portal.Services.GetRequiredService<IngestionEvents>();
        var refreshed = 0;
        // What the panel does: reload its next pull whenever one of its runs changes.
        using var live = new LiveRefresh(
                work => work(),
                () => Interlocked.Increment(ref refreshed),
                async () => await scheduler.NextPullAsync(integration, CancellationToken.None),
                _portal.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IngestionPanel"));
        live.Follow<Guid>(h => events.RunChanged += h, h => events.RunChanged -= h);
        var quartz = await _portal.SchedulerAsync();
        await quartz.Start(TestContext.Current.CancellationToken);

        // SIGTERM: the host says it is stopping and Quartz's hosted service shuts the scheduler down;
        // then the backfills that were stopped report their runs.
        _portal.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await quartz.Shutdown(waitForJobsToComplete: true, TestContext.Current.CancellationToken);
        events.Publish(integration);

        await Eventually.TrueAsync(() => Volatile.Read(ref refreshed) > 0 || !_logs.Errors.IsEmpty, "the panel's refresh (or an error logged instead)", TimeSpan.FromSeconds(15));

        Assert.True(_logs.Errors.IsEmpty, "Logged at a normal stop:\n" + string.Join("\n", _logs.Errors));
        Assert.Null(await scheduler.NextPullAsync(integration, CancellationToken.None));
    }

    /// <summary>Keeps every entry at Warning or above that carries an exception, or is an Error.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Errors);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error || exception is not null)
                {
                    errors.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
                }
            }
        }
    }
}
