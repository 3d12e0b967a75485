using Microsoft.AspNetCore.Components;
using Radzen;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>One place: its facts, the actions on it, and its devices.</summary>
public partial class PlaceDetailsPanel
{
    private PlaceDetails? place;
    private string? message;

    /// <summary>Something changed; the argument is the place to select afterwards (null when deleted).</summary>
    [Parameter]
    public EventCallback<Guid?> Changed { get; set; }

    [Parameter]
    public EventCallback<Guid?> AddChild { get; set; }

    protected override async Task OnParametersSetAsync() => place = await Places.GetPlaceAsync(PlaceId);

    private async Task EditAsync()
    {
        if (await Dialogs.OpenAsync<PlaceFormDialog>($"Edit {place!.Name}",
                new Dictionary<string, object?> { [nameof(PlaceFormDialog.EditId)] = PlaceId }) is Guid)
        {
            await Changed.InvokeAsync(PlaceId);
        }
    }

    private async Task MoveAsync()
    {
        if (await Dialogs.OpenAsync<MovePlaceDialog>($"Move {place!.Name} to",
                new Dictionary<string, object?> { [nameof(MovePlaceDialog.PlaceId)] = PlaceId, [nameof(MovePlaceDialog.Tree)] = Tree }) is true)
        {
            await Changed.InvokeAsync(PlaceId);
        }
    }

    private async Task DeleteAsync()
    {
        var node = PlaceTree.Find(Tree, PlaceId);
        var (places, devices) = node is null ? (0, 0) : PlaceTree.CountInside(node);
        var cascade = places + devices > 0;
        var question = cascade
            ? $"Delete '{place!.Name}' and everything in it: {places} place(s) and {devices} device(s)? This cannot be undone."
            : $"Delete '{place!.Name}'? This cannot be undone.";
        if (!await Dialogs.ConfirmRemovalAsync(question, "Delete place"))
        {
            return;
        }

        try
        {
            await Places.DeletePlaceAsync(PlaceId, cascade);
            await Changed.InvokeAsync(null);
        }
        catch (PortalException e)
        {
            message = e.Message;
        }
    }
}
