using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>A panel about one place of the tree the page holds.</summary>
public abstract class PlacePanelBase : ServiceComponentBase
{
    [Parameter, EditorRequired]
    public Guid PlaceId { get; set; }

    [Parameter, EditorRequired]
    public IReadOnlyList<PlaceNode> Tree { get; set; } = [];
}

/// <summary>A component about one integration's mappings.</summary>
public abstract class MappingComponentBase : ServiceComponentBase
{
    [Inject]
    public required ResourceMappingService Mappings { get; init; }

    [Parameter, EditorRequired]
    public Guid IntegrationId { get; set; }
}
