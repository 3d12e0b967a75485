using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Ingestion.Components;

public partial class ReadingsChart : IDisposable
{
    private static readonly TimeSpan Span = TimeSpan.FromDays(30);
    private IReadOnlyList<(string ResourcePath, string Metric, DateTimeOffset Latest)> seriesOf = [];
    private List<string> resources = [];
    private List<string> metrics = [];
    private string? resource;
    private string? metric;
    private IReadOnlyList<ReadingPoint> points = [];
    private List<ChartSeries<double>> series = [];
    private TimeSeriesChartOptions options = new();
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
        seriesOf = await Readings.SeriesOfAsync(IntegrationId);
        resources = seriesOf.Select(s => s.ResourcePath).Distinct().ToList();
        resource = resources.Contains(resource ?? "") ? resource : resources.FirstOrDefault();
        await LoadAsync();
    }

    private Task PickAsync(Action pick)
    {
        pick();
        return LoadAsync();
    }

    private async Task LoadAsync()
    {
        metrics = seriesOf.Where(s => s.ResourcePath == resource).Select(s => s.Metric).ToList();
        metric = metrics.Contains(metric ?? "") ? metric : metrics.FirstOrDefault();
        var latest = seriesOf.FirstOrDefault(s => s.ResourcePath == resource && s.Metric == metric).Latest;
        points = resource is null || metric is null
            ? []
            : await Readings.SeriesAsync(resource, metric, latest - Span, latest.AddTicks(1), IntegrationId);
        // MudChart's time axis works with DateTime; the readings are UTC, and so are the labels.
        series = [new ChartSeries<double> { Name = metric ?? "", Data = new ChartData<double>(points.Select(p => (p.Timestamp.UtcDateTime, p.Value)).ToList()) }];
        options = new TimeSeriesChartOptions
        {
            ShowLegend = false,
            YAxisTitle = points.Count > 0 ? points[0].Unit : null,
            TimeLabelFormat = "MM-dd HH:mm",
            // About eight labels across, whatever the span of the readings.
            TimeLabelSpacing = points.Count > 1 ? TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerHour, (points[^1].Timestamp - points[0].Timestamp).Ticks / 8)) : TimeSpan.FromHours(1),
        };
    }

    public void Dispose() => live?.Dispose();
}
