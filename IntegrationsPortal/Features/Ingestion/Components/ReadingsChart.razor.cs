using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Resources;
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
    private readonly Dictionary<string, string> labels = [];

    /// <summary>A gap longer than this many usual steps between readings is drawn as a gap, not a line across it.</summary>
    private const int GapInSteps = 3;

    [Parameter, EditorRequired]
    public Guid IntegrationId { get; set; }

    [Inject]
    public required ReadingQueries Readings { get; init; }

    [Inject]
    public required IngestionEvents Events { get; init; }

    [Inject]
    public required ResourcePathService Paths { get; init; }

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
        foreach (var path in resources.Where(p => !labels.ContainsKey(p)))
        {
            // "Site / Floor 1 / Main meter" rather than devices/{id}; a resource deleted since keeps its path.
            labels[path] = (await Paths.ValidateAsync(path)).Resource?.Breadcrumb ?? path;
        }

        await LoadAsync();
    }

    private string Label(string? path) => path is null ? "" : labels.GetValueOrDefault(path, path);

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
        // One series per stretch without a gap, all in one colour: a day without data is not a straight line across it.
        var stretches = Stretches(points);
        series = stretches.Select(s => new ChartSeries<double> { Name = metric ?? "", Data = new ChartData<double>(s.Select(p => (p.Timestamp.UtcDateTime, p.Value)).ToList()) }).ToList();
        options = new TimeSeriesChartOptions
        {
            ShowLegend = false,
            ChartPalette = [Colors.Indigo.Default],
            // 1.2 rather than 1.2000000000000002 (doubles that are sums of tenths).
            YAxisFormat = "0.###",
            // A lone reading (or a stretch of one) has no line to draw; a marker shows it.
            ShowDataMarkers = stretches.Any(s => s.Count == 1),
            // Labels stay inside the readings' span instead of padding the axis past the latest one, into the future.
            TimeLabelSpacingRounding = true,
            TimeLabelSpacingRoundingPadSeries = false,
            YAxisTitle = points.Count > 0 ? points[0].Unit : null,
            TimeLabelFormat = "MM-dd HH:mm",
            // About eight labels across, whatever the span of the readings.
            TimeLabelSpacing = points.Count > 1 ? TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerHour, (points[^1].Timestamp - points[0].Timestamp).Ticks / 8)) : TimeSpan.FromHours(1),
        };
    }

    /// <summary>Splits the readings where the time to the next one is over <see cref="GapInSteps"/> times the usual (median) step.</summary>
    public static List<List<ReadingPoint>> Stretches(IReadOnlyList<ReadingPoint> points)
    {
        var stretches = new List<List<ReadingPoint>>();
        if (points.Count == 0)
        {
            return stretches;
        }

        var steps = points.Zip(points.Skip(1), (a, b) => b.Timestamp - a.Timestamp).Order().ToList();
        var gap = steps.Count == 0 ? TimeSpan.MaxValue : steps[steps.Count / 2] * GapInSteps;
        stretches.Add([points[0]]);
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].Timestamp - points[i - 1].Timestamp > gap)
            {
                stretches.Add([]);
            }

            stretches[^1].Add(points[i]);
        }

        return stretches;
    }

    public void Dispose() => live?.Dispose();
}
