using Microsoft.AspNetCore.Components;
using Radzen;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>The place tree on the left, the selected place (details, devices, actions) on the right.</summary>
public partial class PlacesPage
{
    private IReadOnlyList<PlaceNode>? tree;
    private Guid? selectedId;

    [Inject]
    public required PlacesService Places { get; init; }

    [Inject]
    public required DialogService Dialogs { get; init; }

    protected override async Task OnInitializedAsync() => tree = await Places.GetTreeAsync();

    private void OnSelect(TreeEventArgs args) => selectedId = (args.Value as PlaceNode)?.Id;

    private async Task CreatePlaceAsync(Guid? parentId)
    {
        var created = await Dialogs.OpenAsync<PlaceFormDialog>(parentId is null ? "New place" : "New place inside",
            new Dictionary<string, object?> { [nameof(PlaceFormDialog.ParentId)] = parentId });
        if (created is Guid id)
        {
            await OnChangedAsync(id);
        }
    }

    private async Task EditDeviceTypesAsync() =>
        await Dialogs.OpenAsync<DeviceTypesDialog>("Device types", [], new DialogOptions { Width = "640px" });

    /// <summary>After any change: reload the tree and select <paramref name="select"/> (null when the place is gone).</summary>
    private async Task OnChangedAsync(Guid? select)
    {
        tree = await Places.GetTreeAsync();
        selectedId = select;
    }
}
