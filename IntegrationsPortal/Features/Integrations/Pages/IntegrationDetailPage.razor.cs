using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Integrations.Pages;

/// <summary>
/// One integration. Follows <see cref="IntegrationEvents"/>, so a verification finishing in the
/// background shows up without a reload.
/// </summary>
public partial class IntegrationDetailPage : IDisposable
{
    private IntegrationDetail? detail;
    private bool notFound;
    private LiveRefresh? live;
    private int activeTab;

    [Parameter]
    public Guid Id { get; set; }

    /// <summary>?tab=mappings opens the Resource mappings tab (a run's unmapped ids link there).</summary>
    [SupplyParameterFromQuery(Name = "tab")]
    public string? Tab { get; set; }

    /// <summary>?map=ID opens the Add mapping form with that external id filled in (with ?tab=mappings).</summary>
    [SupplyParameterFromQuery(Name = "map")]
    public string? Map { get; set; }

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required IntegrationQueries Queries { get; init; }

    [Inject]
    public required IntegrationEvents Events { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILogger<IntegrationDetailPage> Logger { get; init; }

    // The filter reads Id when the event arrives, so it follows navigation to another integration.
    protected override void OnInitialized() =>
        live = new LiveRefresh(InvokeAsync, StateHasChanged, ReloadAsync, Logger)
            .Follow<Guid>(h => Events.Changed += h, h => Events.Changed -= h, changedId => changedId == Id);

    protected override async Task OnParametersSetAsync()
    {
        ErrorMessage = null;
        await ReloadAsync();
        activeTab = Tab == "mappings" ? MappingsTab : activeTab;
    }

    // Settings, Credentials, then Resource mappings, for every type; a pushed type has Uplinks before them.
    private int MappingsTab => detail?.Type.ReceivesPushes == true ? 3 : 2;

    private async Task ReloadAsync()
    {
        try
        {
            detail = await Queries.GetAsync(Id);
            notFound = false;
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.NotFound)
        {
            notFound = true;
            detail = null;
        }
    }

    private async Task ChangeAsync(Func<Task> change, string confirmation)
    {
        await RunAsync(change, confirmation);
        await ReloadAsync();
    }

    private Task VerifyAsync() => ChangeAsync(() => Integrations.VerifyNowAsync(Id), "Checking the credentials again.");

    private Task ActivateAsync() => ChangeAsync(() => Integrations.ActivateAsync(Id), $"'{detail!.Name}' is active again.");

    private async Task DisableAsync()
    {
        if (await ConfirmAsync("Disable integration", $"Disable '{detail!.Name}'? It stops sending and pulling until someone activates it again.", "Disable", "Keep it running"))
        {
            await ChangeAsync(() => Integrations.DisableAsync(Id), $"'{detail!.Name}' is disabled.");
        }
    }

    private async Task DeleteAsync()
    {
        var name = detail!.Name;
        if (await ConfirmAsync("Delete integration", $"Delete '{name}'? It stops at once and disappears from the list; its history is kept for audit.", "Delete", "Keep it")
            // Leave only when it is gone: a refused delete stays here with its reason on screen.
            && await RunAsync(() => Integrations.DeleteAsync(Id), $"'{name}' is deleted."))
        {
            Navigation.NavigateTo("/integrations");
        }
    }

    public void Dispose() => live?.Dispose();
}
