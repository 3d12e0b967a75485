using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Flows.Pages;

/// <summary>
/// Every flow of the organization with how it has been doing, kept current while runs are recorded
/// and flows change (FlowEvents, throttled: a busy pull records runs many times a second).
/// </summary>
public partial class FlowsPage : IDisposable
{
    private static readonly TimeSpan RefreshThrottle = TimeSpan.FromSeconds(1);
    private IReadOnlyList<FlowSummary>? flows;
    private LiveRefresh? live;

    [Inject]
    public required FlowService Flows { get; init; }

    [Inject]
    public required FlowEvents Events { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILogger<FlowsPage> Logger { get; init; }

    protected override async Task OnInitializedAsync()
    {
        live = new LiveRefresh(InvokeAsync, StateHasChanged, ReloadAsync, Logger, RefreshThrottle)
            .Follow<Guid>(h => Events.RunsRecorded += h, h => Events.RunsRecorded -= h)
            .Follow<Guid>(h => Events.FlowChanged += h, h => Events.FlowChanged -= h);
        await ReloadAsync();
    }

    private async Task ReloadAsync() => flows = await LoadAsync(() => Flows.ListAsync(), flows ?? []);

    private static string EditPath(FlowSummary flow) => $"/flows/{flow.Id}/edit";

    /// <summary>The first two names and how many more, so a row stays one line.</summary>
    private static string Glance(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "none yet",
        <= 2 => string.Join(", ", names),
        _ => $"{names[0]}, {names[1]} +{names.Count - 2}",
    };

    /// <summary>Creates an empty draft with a free name and opens it in the editor.</summary>
    private async Task NewFlowAsync()
    {
        var taken = (flows ?? []).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var name = Enumerable.Range(1, 1000).Select(n => n == 1 ? "New flow" : $"New flow {n}").First(n => !taken.Contains(n));
        var id = Guid.Empty;
        if (await RunAsync(async () => id = await Flows.CreateAsync(name)))
        {
            Navigation.NavigateTo($"/flows/{id}/edit");
        }
    }

    private async Task SwitchAsync(FlowSummary flow, bool on)
    {
        if (!on && !await ConfirmAsync("Disable flow", $"Disable '{flow.Name}'? It stops sending device data until someone enables it again.", "Disable", "Keep it running"))
        {
            return;
        }

        await RunAsync(() => on ? Flows.EnableAsync(flow.Id) : Flows.DisableAsync(flow.Id), $"'{flow.Name}' is {(on ? "enabled" : "disabled")}.");
        await ReloadAsync();
    }

    private async Task DeleteAsync(FlowSummary flow)
    {
        if (await ConfirmAsync("Delete flow", $"Delete '{flow.Name}'? It stops at once; its runs stay in the flow history and queued messages are still delivered.", "Delete", "Keep it"))
        {
            await RunAsync(() => Flows.DeleteAsync(flow.Id), $"'{flow.Name}' is deleted.");
            await ReloadAsync();
        }
    }

    public void Dispose() => live?.Dispose();
}
