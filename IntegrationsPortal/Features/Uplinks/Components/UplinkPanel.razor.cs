using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Resources.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace IntegrationsPortal.Features.Uplinks.Components;

/// <summary>
/// An uplink integration's tab: the endpoint URL and its token (shown once after the wizard or a
/// rotation), the network's setup steps, uplinks per minute, unmapped EUIs with "map to a device",
/// and refused uplinks. Follows <see cref="UplinkEvents"/>, so pushes show up without a reload.
/// </summary>
public partial class UplinkPanel : IDisposable
{
    private UplinkSetup setup = UplinkInstructions.For("");
    private IssuedUplinkToken? shown;
    private UplinkTokenState? tokens;
    private UplinkActivity? activity;
    private IReadOnlyList<UnmappedDeviceRow> unmapped = [];
    private IReadOnlyList<RejectedUplinkRow> rejected = [];
    private List<ChartSeries<double>> series = [];
    private string[] labels = [];
    private readonly BarChartOptions chartOptions = new() { ShowLegend = false };
    private LiveRefresh? live;

    [Parameter, EditorRequired]
    public required IntegrationDetail Detail { get; set; }

    [Inject]
    public required UplinkQueries Queries { get; init; }

    [Inject]
    public required UplinkTokens Tokens { get; init; }

    [Inject]
    public required UplinkTokenHandoff Handoff { get; init; }

    [Inject]
    public required UplinkEvents Events { get; init; }

    [Inject]
    public required ResourceMappingService Mappings { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<UplinkPanel> Logger { get; init; }

    private string EndpointUrl => Navigation.BaseUri.TrimEnd('/') + UplinksExtensions.EndpointPath(Detail.Id);

    private int LastHourTotal => activity?.PerMinute.Sum(m => m.Count) ?? 0;

    private string TokenStateText => tokens switch
    {
        null => "",
        { HasToken: false } => "No token yet: issue one to let the network push.",
        { PreviousValidUntil: { } until } => $"A token is set; the previous one still works until {When(until)}.",
        _ => "A token is set. It was shown once; rotate it if it is lost.",
    };

    protected override async Task OnInitializedAsync()
    {
        setup = UplinkInstructions.For(Detail.Type.Key);
        shown = Handoff.Take(Detail.Id);
        // A busy network pushes many times a second: one reload a second at most.
        live = new LiveRefresh(InvokeAsync, StateHasChanged, LoadAsync, Logger, TimeSpan.FromSeconds(1), Time)
            .Follow<Guid>(h => Events.Changed += h, h => Events.Changed -= h, id => id == Detail.Id);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        tokens = await LoadAsync<UplinkTokenState?>(async () => await Queries.TokenStateAsync(Detail.Id), tokens);
        activity = await LoadAsync<UplinkActivity?>(async () => await Queries.ActivityAsync(Detail.Id), activity);
        unmapped = await LoadAsync(() => Queries.UnmappedAsync(Detail.Id), unmapped);
        rejected = await LoadAsync(() => Queries.RejectedAsync(Detail.Id), rejected);
        var minutes = activity?.PerMinute ?? [];
        series = [new ChartSeries<double> { Name = "Uplinks", Data = new ChartData<double>(minutes.Select(m => (double)m.Count).ToList()) }];
        // A label every ten minutes; the others blank so the axis stays readable.
        labels = minutes.Select((m, i) => i % 10 == 0 ? $"{m.Minute.UtcDateTime:HH:mm}" : "").ToArray();
    }

    private async Task RotateAsync()
    {
        if (tokens?.HasToken == true && !await ConfirmAsync("Rotate token",
                "Make a new token? The current one keeps working for the grace period, then stops: change the network's header in the meantime.", "Rotate", "Keep the current one"))
        {
            return;
        }

        IssuedUplinkToken? issued = null;
        if (await RunAsync(async () => issued = await Tokens.IssueAsync(Detail.Id), "A new token is ready: copy it now."))
        {
            shown = issued;
            await LoadAsync();
        }
    }

    /// <summary>Opens the mappings' own form with the EUI filled in: picking the device is the only step left.</summary>
    private async Task MapAsync(string eui)
    {
        var rules = await LoadAsync<MappingRules?>(async () => await Mappings.GetRulesAsync(Detail.Id), null);
        if (rules is null)
        {
            return;
        }

        if (await Dialogs.OpenAsync<MappingFormDialog, bool>($"Map {eui}", new DialogParameters<MappingFormDialog>
            {
                { d => d.IntegrationId, Detail.Id },
                { d => d.Rules, rules },
                { d => d.ExternalId, eui },
            }, ResourceDialogs.Wide) is true)
        {
            await LoadAsync();
        }
    }

    private async Task CopyAsync(string text, string what)
    {
        await JS.InvokeVoidAsync("portal.copyText", text);
        Snackbar.Add($"{what} copied to the clipboard.", Severity.Success);
    }

    private static string When(DateTimeOffset at) => $"{at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC";

    public void Dispose() => live?.Dispose();
}
