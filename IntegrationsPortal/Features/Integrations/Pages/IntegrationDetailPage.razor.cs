using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Radzen;

namespace IntegrationsPortal.Features.Integrations.Pages;

/// <summary>
/// One integration. Follows <see cref="IntegrationEvents"/>, so a verification finishing in the
/// background shows up without a reload.
/// </summary>
public partial class IntegrationDetailPage : IDisposable
{
    private IntegrationDetail? detail;
    private bool notFound;
    private string? message;
    private LiveRefresh? live;

    [Parameter]
    public Guid Id { get; set; }

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required IntegrationQueries Queries { get; init; }

    [Inject]
    public required IntegrationEvents Events { get; init; }

    [Inject]
    public required DialogService Dialogs { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILogger<IntegrationDetailPage> Logger { get; init; }

    // The filter reads Id when the event arrives, so it follows navigation to another integration.
    protected override void OnInitialized() =>
        live = new LiveRefresh(InvokeAsync, StateHasChanged, ReloadAsync, Logger)
            .Follow<Guid>(h => Events.Changed += h, h => Events.Changed -= h, changedId => changedId == Id);

    protected override Task OnParametersSetAsync() => ReloadAsync();

    private async Task ReloadAsync()
    {
        try
        {
            detail = await Queries.GetAsync(Id);
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.NotFound)
        {
            notFound = true;
            detail = null;
        }
    }

    private async Task RunAsync(Func<Task> action)
    {
        try
        {
            await action();
            message = null;
        }
        catch (PortalException e)
        {
            message = e.Message;
        }

        await ReloadAsync();
    }

    private async Task DeleteAsync()
    {
        if (await Dialogs.Confirm($"Delete '{detail!.Name}'? It stops at once and disappears from the list; its history is kept for audit.",
                "Delete integration", new ConfirmOptions { OkButtonText = "Delete", CancelButtonText = "Keep it" }) == true)
        {
            await RunAsync(() => Integrations.DeleteAsync(Id));
            Navigation.NavigateTo("/integrations");
        }
    }

    public void Dispose() => live?.Dispose();
}
