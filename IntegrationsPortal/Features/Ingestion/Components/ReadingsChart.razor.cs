using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Ingestion.Components;

public partial class ReadingsChart : IDisposable
{
    private static readonly TimeSpan Span = TimeSpan.FromDays(30);
    private IReadOnlyList<(string ResourcePath, string Metric, DateTimeOffset Latest)> series = [];
    private List<string> resources = [];
    private List<string> metrics = [];
    private string? resource;
    private string? metric;
    private IReadOnlyList<ReadingPoint> points = [];
    private IReadOnlyList<ChartPoint> chartPoints = [];
    private LiveRefresh? live;

    [Parameter, EditorRequired]
    public Guid IntegrationId { get; set; }

    [Inject]
    public required ReadingQueries Readings { get; init; }

    [Inject]
    public required IngestionEvents Events { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<ReadingsChart> Logger { get; init; }

    protected override async Task OnInitializedAsync()
    {
        // Refresh as a run writes, so the chart fills while a backfill is running; the chart is
        // heavier than the progress bar, so at most every two seconds.
        live = new LiveRefresh(InvokeAsync, StateHasChanged, RefreshAsync, Logger, TimeSpan.FromSeconds(2), Time)
            .Follow<Guid>(h => Events.RunChanged += h, h => Events.RunChanged -= h, id => id == IntegrationId);
        await RefreshAsync();
    }

    private async Task RefreshAsync()
    {
        series = await Readings.SeriesOfAsync(IntegrationId);
        resources = series.Select(s => s.ResourcePath).Distinct().ToList();
        resource = resources.Contains(resource ?? "") ? resource : resources.FirstOrDefault();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        metrics = series.Where(s => s.ResourcePath == resource).Select(s => s.Metric).ToList();
        metric = metrics.Contains(metric ?? "") ? metric : metrics.FirstOrDefault();
        var latest = series.FirstOrDefault(s => s.ResourcePath == resource && s.Metric == metric).Latest;
        points = resource is null || metric is null
            ? []
            : await Readings.SeriesAsync(resource, metric, latest - Span, latest.AddTicks(1), IntegrationId);
        // Radzen's chart axes work with DateTime, not DateTimeOffset.
        chartPoints = points.Select(p => new ChartPoint(p.Timestamp.UtcDateTime, p.Value)).ToList();
    }

    private sealed record ChartPoint(DateTime Time, double Value);

    public void Dispose() => live?.Dispose();
}
