using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>One place: its facts, the actions on it, and its devices.</summary>
public partial class PlaceDetailsPanel
{
    private PlaceDetails? place;

    [Inject]
    public required PlaceService Places { get; init; }

    /// <summary>Something changed; the argument is the place to select afterwards (null when deleted).</summary>
    [Parameter]
    public EventCallback<Guid?> Changed { get; set; }

    [Parameter]
    public EventCallback<Guid?> AddChild { get; set; }

    protected override async Task OnParametersSetAsync() => place = await LoadAsync<PlaceDetails?>(async () => await Places.GetPlaceAsync(PlaceId), null);

    private async Task EditAsync()
    {
        if (await Dialogs.OpenAsync<PlaceFormDialog, Guid>($"Edit {place!.Name}",
                new DialogParameters<PlaceFormDialog> { { d => d.EditId, PlaceId } }) is not null)
        {
            await Changed.InvokeAsync(PlaceId);
        }
    }

    private async Task MoveAsync()
    {
        if (await Dialogs.OpenAsync<MovePlaceDialog, bool>($"Move {place!.Name} to",
                new DialogParameters<MovePlaceDialog> { { d => d.PlaceId, PlaceId }, { d => d.Tree, Tree } }) is true)
        {
            await Changed.InvokeAsync(PlaceId);
        }
    }

    private async Task DeleteAsync()
    {
        // Refused before the question, not after the operator confirmed it.
        if (await LoadAsync<string?>(() => Places.WhyPlaceCannotBeDeletedAsync(PlaceId), null) is { } refusal)
        {
            ErrorMessage = refusal;
            return;
        }

        var node = PlaceTree.Find(Tree, PlaceId);
        var (places, devices) = node is null ? (0, 0) : PlaceTree.CountInside(node);
        var cascade = places + devices > 0;
        var question = cascade
            ? $"Delete '{place!.Name}' and everything in it: {places} place(s) and {devices} device(s)? This cannot be undone."
            : $"Delete '{place!.Name}'? This cannot be undone.";
        if (await ConfirmAsync("Delete place", question, "Delete")
            && await RunAsync(() => Places.DeletePlaceAsync(PlaceId, cascade), $"'{place.Name}' deleted."))
        {
            await Changed.InvokeAsync(null);
        }
    }
}
