using System.Threading.Channels;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Events;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IntegrationsPortal.Tests.Components.Shared;

/// <summary>
/// The helper every live page uses, on a real Blazor dispatcher, the real in-process events and a
/// manual clock for the throttle; last, a component rendered with <see cref="HtmlRenderer"/>.
/// </summary>
public sealed class LiveRefreshTests : IDisposable
{
    private static readonly TimeSpan Throttle = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Guid _mine = Guid.CreateVersion7();
    private readonly IntegrationEvents _events = new(new LiveEvents(new PortalDatabase(DatabaseProvider.Sqlite)));
    private readonly ManualTimeProvider _clock = new();
    private readonly Dispatcher _dispatcher = Dispatcher.CreateDefault();
    private readonly ListLogger _logger = new();
    private readonly SemaphoreSlim _rendered = new(0);
    private int _reloads;
    private int _renders;
    private int _dispatches;
    private LiveRefresh? _live;

    [Fact]
    public async Task BurstOfEvents_ReloadsOnceWhenTheIntervalHasPassed_AndIgnoresOtherIntegrations()
    {
        Follow(Throttle);

        for (var i = 0; i < 20; i++)
        {
            _events.Publish(_mine);
            _events.Publish(Guid.CreateVersion7());
        }

        Assert.Equal(0, _reloads);
        Assert.Equal([Throttle], _clock.PendingTimers()); // one reload due, however many events
        _clock.Advance(Throttle);
        await RenderedAsync();
        Assert.Equal((1, 1), (_reloads, _renders));
        Assert.Empty(_clock.PendingTimers());

        // The next event after that reload asks for a new one.
        _events.Publish(_mine);
        _clock.Advance(Throttle);
        await RenderedAsync();
        Assert.Equal(2, _reloads);
    }

    [Fact]
    public void AfterDispose_NeitherAPendingReloadNorANewEventDoesAnything()
    {
        Follow(Throttle);
        _events.Publish(_mine);
        Assert.Single(_clock.PendingTimers());

        _live!.Dispose();
        _clock.Advance(Throttle);
        _events.Publish(_mine);

        Assert.Empty(_clock.PendingTimers());
        Assert.Equal((0, 0), (_dispatches, _reloads));
    }

    [Fact]
    public void WithoutThrottle_EveryEventReloads_UntilDisposed()
    {
        Follow(throttle: null);

        _events.Publish(_mine);
        _events.Publish(_mine);
        _live!.Dispose();
        _events.Publish(_mine);

        // The dispatcher was idle, so each reload ran inside Publish.
        Assert.Equal((2, 2, 2), (_dispatches, _reloads, _renders));
    }

    [Fact]
    public async Task ThrowingReload_IsLoggedAndNotRendered_AndTheNextEventStillReloads()
    {
        var failures = 1;
        _live = new LiveRefresh(_dispatcher.InvokeAsync, Render, async () =>
        {
            await Task.Yield();
            if (failures-- > 0)
            {
                throw new InvalidOperationException("The database is busy.");
            }

            _reloads++;
        }, _logger);
        _live.Follow<Guid>(h => _events.Changed += h, h => _events.Changed -= h);

        _events.Publish(_mine);
        var logged = await _logger.NextAsync();
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Equal("The database is busy.", logged.Exception?.Message);
        Assert.Equal(0, _renders);

        _events.Publish(_mine);
        await RenderedAsync();
        Assert.Equal((1, 1), (_reloads, _renders));
    }

    [Fact]
    public async Task RenderedComponent_ShowsNewDataAfterEachEvent_AndKeepsTheLastDataWhileAReloadFails()
    {
        await using var services = new ServiceCollection().AddSingleton(_events).AddSingleton<ILogger<Counter>>(_logger).BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        var value = "3 alerts";
        var failing = false;
        Func<Task<string>> load = () => failing ? throw new InvalidOperationException("The database is busy.") : Task.FromResult(value);
        var root = await renderer.Dispatcher.InvokeAsync(() => renderer.RenderComponentAsync<Counter>(
            ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(Counter.Load)] = load })));
        Task<string> HtmlAsync() => renderer.Dispatcher.InvokeAsync(root.ToHtmlString);
        Assert.Equal("<output>3 alerts</output>", await HtmlAsync());

        value = "4 alerts";
        _events.Publish(_mine);
        await Eventually.ReadAsync(HtmlAsync, html => html == "<output>4 alerts</output>", "the page to show 4 alerts", Patience);

        (value, failing) = ("5 alerts", true);
        _events.Publish(_mine);
        Assert.Equal("The database is busy.", (await _logger.NextAsync()).Exception?.Message);
        Assert.Equal("<output>4 alerts</output>", await HtmlAsync());

        failing = false;
        _events.Publish(_mine);
        await Eventually.ReadAsync(HtmlAsync, html => html == "<output>5 alerts</output>", "the page to show 5 alerts", Patience);
    }

    public void Dispose()
    {
        _live?.Dispose();
        _rendered.Dispose();
    }

    private void Follow(TimeSpan? throttle)
    {
        _live = new LiveRefresh(DispatchAsync, Render, ReloadAsync, _logger, throttle, _clock);
        _live.Follow<Guid>(h => _events.Changed += h, h => _events.Changed -= h, id => id == _mine);
    }

    private Task DispatchAsync(Func<Task> work)
    {
        Interlocked.Increment(ref _dispatches);
        return _dispatcher.InvokeAsync(work);
    }

    private Task ReloadAsync()
    {
        Interlocked.Increment(ref _reloads);
        return Task.CompletedTask;
    }

    private void Render()
    {
        Interlocked.Increment(ref _renders);
        _rendered.Release();
    }

    private async Task RenderedAsync() => Assert.True(await _rendered.WaitAsync(Patience), "no reload was rendered");

    /// <summary>A live component as the pages write one: it follows every integration change.</summary>
    private sealed class Counter : ComponentBase, IDisposable
    {
        private LiveRefresh? _live;
        private string? _text;

        [Parameter]
        public required Func<Task<string>> Load { get; set; }

        [Inject]
        public required IntegrationEvents Events { get; init; }

        [Inject]
        public required ILogger<Counter> Logger { get; init; }

        protected override async Task OnInitializedAsync()
        {
            _live = new LiveRefresh(InvokeAsync, StateHasChanged, LoadAsync, Logger);
            _live.Follow<Guid>(h => Events.Changed += h, h => Events.Changed -= h);
            await LoadAsync();
        }

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "output");
            builder.AddContent(1, _text);
            builder.CloseElement();
        }

        private async Task LoadAsync() => _text = await Load();

        public void Dispose() => _live?.Dispose();
    }

    /// <summary>Keeps what is logged, so a test can wait for an entry and read it.</summary>
    private sealed class ListLogger : ILogger<Counter>
    {
        private readonly Channel<(LogLevel Level, Exception? Exception)> _entries =
            Channel.CreateUnbounded<(LogLevel, Exception?)>();

        public async Task<(LogLevel Level, Exception? Exception)> NextAsync()
        {
            using var timeout = new CancellationTokenSource(Patience);
            return await _entries.Reader.ReadAsync(timeout.Token);
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Writer.TryWrite((logLevel, exception));
    }
}
