using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>The place tree on the left, the selected place (details, devices, actions) on the right.</summary>
public partial class PlacesPage
{
    private IReadOnlyList<PlaceNode>? tree;
    private Guid? selectedId;

    [Inject]
    public required PlaceService Places { get; init; }

    protected override async Task OnInitializedAsync() => tree = await LoadAsync(() => Places.GetTreeAsync(), []);

    // Guid.Empty is the tree's "nothing selected"; a place stays selected until another is picked.
    private void OnSelect(Guid id) => selectedId = id == Guid.Empty ? selectedId : id;

    private async Task CreatePlaceAsync(Guid? parentId)
    {
        if (await Dialogs.OpenAsync<PlaceFormDialog, Guid>(parentId is null ? "New place" : $"New place inside {PlaceTree.Find(tree ?? [], parentId.Value)?.Name}",
                new DialogParameters<PlaceFormDialog> { { d => d.ParentId, parentId } }) is { } id)
        {
            await OnChangedAsync(id);
        }
    }

    private async Task EditDeviceTypesAsync() =>
        await Dialogs.ShowAsync<DeviceTypesDialog>("Device types", ResourceDialogs.Wide);

    /// <summary>After any change: reload the tree and select <paramref name="select"/> (null when the place is gone).</summary>
    private async Task OnChangedAsync(Guid? select)
    {
        tree = await LoadAsync(() => Places.GetTreeAsync(), tree ?? []);
        selectedId = select;
    }
}
