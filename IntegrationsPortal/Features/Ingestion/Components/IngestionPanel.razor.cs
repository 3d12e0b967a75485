using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Ingestion.Components;

public partial class IngestionPanel : IDisposable
{
    private IReadOnlyList<IngestionRunView> runs = [];
    private Radzen.Blazor.RadzenDataGrid<IngestionRunView>? grid;
    private DateTimeOffset? nextPull;
    private bool canOperate;
    private bool backfillOpen;
    private DateTime from;
    private DateTime to;
    private LiveRefresh? live;
    private string? previewText;
    private IReadOnlyList<KeyValuePair<string, string>> mapped = [];
    private IEnumerable<string> selected = [];
    private string? error;

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
        if (grid is not null)
        {
            // The grid keeps its own view of the rows; a new list alone does not always refresh it.
            await grid.Reload();
        }
    }

    private async Task OpenBackfill()
    {
        var today = Time.GetUtcNow().UtcDateTime.Date;
        // Extending an earlier backfill is the common case: start where the oldest one began.
        var earliest = runs.Where(r => r.Kind == IngestionKind.Backfill).Select(r => (DateTimeOffset?)r.From).Min();
        to = earliest?.UtcDateTime.Date ?? today;
        from = to.AddDays(-30);
        // Shown by external id, as the provider names them; empty selection means all of them.
        mapped = (await MappedResources.ByExternalIdAsync(Detail.Id, CancellationToken.None)).OrderBy(m => m.Key).ToList();
        selected = [];
        backfillOpen = true;
        await PreviewAsync();
    }

    private BackfillInput Input => new(
        new DateTimeOffset(from, TimeSpan.Zero), Min(new DateTimeOffset(to, TimeSpan.Zero), Time.GetUtcNow()), selected.Any() ? selected.ToList() : null);

    private async Task PreviewAsync()
    {
        try
        {
            var preview = await Ingestion.PreviewBackfillAsync(Detail.Id, Input);
            previewText = $"{preview.Windows} window(s) of one day for {preview.Resources} mapped resource(s), about {preview.EstimatedRequests} request(s) or more if the provider pages.";
            error = null;
        }
        catch (PortalException e)
        {
            previewText = null;
            error = e.Message;
        }
    }

    private async Task StartAsync()
    {
        try
        {
            await Ingestion.StartBackfillAsync(Detail.Id, Input);
            backfillOpen = false;
            error = null;
            await LoadAsync();
        }
        catch (PortalException e)
        {
            error = e.Message;
        }
    }

    private async Task ChangeAsync(Func<Task> change)
    {
        try
        {
            await change();
        }
        catch (PortalException e)
        {
            error = e.Message;
        }

        await LoadAsync();
    }

    private string Took(DateTimeOffset started, DateTimeOffset? finished)
    {
        var span = (finished ?? Time.GetUtcNow()) - started;
        return span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s" : $"{span.TotalSeconds:0.0} s";
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public void Dispose() => live?.Dispose();
}
