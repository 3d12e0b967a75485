using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// Picks a place or device by path: a tree that loads children as it opens, or (while searching)
/// a flat list of matches. Only what <see cref="Accepts"/> allows can be picked; places that
/// cannot be picked still open, because the devices in them may be pickable.
/// </summary>
public partial class ResourcePicker
{
    private IReadOnlyCollection<ITreeItemData<string>> roots = [];
    private IReadOnlyList<ResourceInfo>? results;
    private string search = "";

    [Inject]
    public required ResourcePathService Paths { get; init; }

    [Parameter, EditorRequired]
    public ResourceFilter Accepts { get; set; } = ResourceFilter.Any;

    [Parameter]
    public string? Value { get; set; }

    [Parameter]
    public EventCallback<string> ValueChanged { get; set; }

    protected override async Task OnInitializedAsync() => roots = await BrowseAsync(null);

    private async Task<IReadOnlyCollection<TreeItemData<string>>> LoadChildrenAsync(string? path) => await BrowseAsync(path);

    private async Task<IReadOnlyCollection<TreeItemData<string>>> BrowseAsync(string? path) =>
        (await Paths.BrowseAsync(path, Accepts)).Select(n => new ResourceTreeItem(n)).ToList();

    private Task OnTreePickedAsync(string? path) => path is null ? Task.CompletedTask : PickAsync(path);

    private async Task OnSearchChangedAsync(string text)
    {
        search = text;
        results = search.Trim().Length == 0 ? null : await Paths.SearchAsync(search, Accepts, 30);
    }

    private async Task PickAsync(string path)
    {
        Value = path;
        await ValueChanged.InvokeAsync(path);
    }

    /// <summary>A tree item that keeps its node, for the icon and whether it can be picked.</summary>
    private sealed class ResourceTreeItem : TreeItemData<string>
    {
        public ResourceTreeItem(ResourceNode node)
        {
            Node = node;
            Value = node.Path;
            Text = node.Name;
            Expandable = node.HasChildren;
        }

        public ResourceNode Node { get; }
    }
}
