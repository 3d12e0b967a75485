using System.Globalization;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Ingestion.Components;

public partial class IngestionPanel : IDisposable
{
    private IReadOnlyList<IngestionRunView> runs = [];
    private DateTimeOffset? nextPull;
    private bool canOperate;
    private bool backfillOpen;
    private DateTime? from;
    private DateTime? to;
    private LiveRefresh? live;
    private string? previewText;
    private IReadOnlyList<KeyValuePair<string, string>> mapped = [];
    private IReadOnlyCollection<string> selected = [];

    [Parameter, EditorRequired]
    public required IntegrationDetail Detail { get; set; }

    [Inject]
    public required IngestionService Ingestion { get; init; }

    [Inject]
    public required IngestionScheduler Scheduler { get; init; }

    [Inject]
    public required IngestionEvents Events { get; init; }

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required IMappedResources MappedResources { get; init; }

    [Inject]
    public required ILogger<IngestionPanel> Logger { get; init; }

    // Only an active integration pulls; a trigger left behind for a moment after an error is not a promise.
    private string NextPullText => Detail.Status != IntegrationStatus.Active
        ? $"none while the integration is {IntegrationLifecycle.Label(Detail.Status)}"
        : nextPull?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "being scheduled";

    private IngestionRunView? LastPull => runs.FirstOrDefault(r => r.Kind == IngestionKind.Pull && r.Status == IngestionRunStatus.Completed);

    protected override async Task OnInitializedAsync()
    {
        canOperate = CurrentUser.Can(PortalPermission.Operate);
        live = new LiveRefresh(InvokeAsync, StateHasChanged, LoadAsync, Logger, TimeSpan.FromMilliseconds(500), Time)
            .Follow<Guid>(h => Events.RunChanged += h, h => Events.RunChanged -= h, id => id == Detail.Id);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        runs = await Ingestion.ListRunsAsync(Detail.Id);
        nextPull = await Scheduler.NextPullAsync(Detail.Id, CancellationToken.None);
    }

    private async Task OpenBackfill()
    {
        var today = Time.GetUtcNow().UtcDateTime.Date;
        // Extending an earlier backfill is the common case: start where the oldest one began.
        var earliest = runs.Where(r => r.Kind == IngestionKind.Backfill).Select(r => (DateTimeOffset?)r.From).Min();
        to = earliest?.UtcDateTime.Date ?? today;
        from = to.Value.AddDays(-30);
        // Shown by external id, as the provider names them; empty selection means all of them.
        mapped = (await MappedResources.ByExternalIdAsync(Detail.Id, CancellationToken.None)).OrderBy(m => m.Key).ToList();
        selected = [];
        backfillOpen = true;
        await PreviewAsync();
    }

    private string ResourceLabel(string? path) => mapped.FirstOrDefault(m => m.Value == path).Key ?? path ?? "";

    private Task ChangeRangeAsync(DateTime? newFrom, DateTime? newTo)
    {
        (from, to) = (newFrom ?? from, newTo ?? to);
        return PreviewAsync();
    }

    private Task ChangeResourcesAsync(IEnumerable<string>? values)
    {
        selected = values?.ToList() ?? [];
        return PreviewAsync();
    }

    private BackfillInput Input => new(
        Utc(from), Min(Utc(to), Time.GetUtcNow()), selected.Count > 0 ? selected.ToList() : null);

    private async Task PreviewAsync()
    {
        previewText = null;
        await RunAsync(async () =>
        {
            var preview = await Ingestion.PreviewBackfillAsync(Detail.Id, Input);
            previewText = $"{preview.Windows} window(s) of one day for {preview.Resources} mapped resource(s), about {preview.EstimatedRequests} request(s) or more if the provider pages.";
        });
    }

    private async Task StartAsync()
    {
        if (await RunAsync(() => Ingestion.StartBackfillAsync(Detail.Id, Input), "Backfill started; its progress shows below."))
        {
            backfillOpen = false;
            await LoadAsync();
        }
    }

    // A pull is not resumed (the next pull covers what it left), so only a backfill's confirmation offers Resume.
    private Task CancelAsync(IngestionRunView run) => ChangeAsync(() => Ingestion.CancelAsync(run.Id),
        IngestionRunLifecycle.Allows(run.Kind, IngestionRunStatus.Cancelled, IngestionRunEvent.ResumeRequested)
            ? "Cancelled; resume it to go on from where it stopped."
            : "Cancelled; the next pull starts where the last completed one ended.");

    private async Task ChangeAsync(Func<Task> change, string confirmation)
    {
        await RunAsync(change, confirmation);
        await LoadAsync();
    }

    // The mappings tab with the Add mapping form open and the id filled in: the operator picks the resource.
    private string Took(DateTimeOffset started, DateTimeOffset? finished)
    {
        var span = (finished ?? Time.GetUtcNow()) - started;
        return span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s" : $"{span.TotalSeconds:0.0} s";
    }

    // The pickers show dates in UTC; an empty picker leaves the service to refuse the range.
    private static DateTimeOffset Utc(DateTime? date) => new(DateTime.SpecifyKind(date ?? default, DateTimeKind.Utc));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public void Dispose() => live?.Dispose();
}
