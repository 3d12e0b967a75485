using Microsoft.AspNetCore.Components;
using Radzen;
using Radzen.Blazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// Picks a place or device by path: a tree that loads children as it opens, or (while searching)
/// a flat list of matches. Only what <see cref="Accepts"/> allows can be picked; places that
/// cannot be picked still open, because the devices in them may be pickable.
/// </summary>
public partial class ResourcePicker
{
    private IReadOnlyList<ResourceNode> roots = [];
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

    protected override async Task OnInitializedAsync() => roots = await Paths.BrowseAsync(null, Accepts);

    private RenderFragment<RadzenTreeItem> NodeTemplate => item => builder =>
    {
        var node = (ResourceNode)item.Value!;
        builder.OpenElement(0, "span");
        builder.AddAttribute(1, "class", node.Selectable ? "resource-node" : "resource-node not-selectable");
        builder.AddAttribute(2, "data-testid", $"resource-node-{node.Name}");
        builder.OpenComponent<RadzenIcon>(3);
        builder.AddAttribute(4, nameof(RadzenIcon.Icon), node.Icon);
        builder.CloseComponent();
        builder.AddContent(5, " " + node.Name);
        builder.CloseElement();
    };

    private async Task OnExpand(TreeExpandEventArgs args)
    {
        var node = (ResourceNode)args.Value!;
        args.Children = new TreeItemSettings
        {
            Data = await Paths.BrowseAsync(node.Path, Accepts),
            TextProperty = nameof(ResourceNode.Name),
            HasChildren = n => ((ResourceNode)n).HasChildren,
            Template = NodeTemplate,
        };
    }

    private Task OnChange(TreeEventArgs args) =>
        args.Value is ResourceNode { Selectable: true } node ? PickAsync(node.Path) : Task.CompletedTask;

    private async Task OnSearchChangedAsync()
    {
        results = search.Trim().Length == 0 ? null : await Paths.SearchAsync(search, Accepts, 30);
    }

    private async Task PickAsync(string path)
    {
        Value = path;
        await ValueChanged.InvokeAsync(path);
    }
}
