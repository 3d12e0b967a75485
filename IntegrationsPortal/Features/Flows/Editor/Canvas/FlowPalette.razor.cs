using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace IntegrationsPortal.Features.Flows.Editor.Canvas;

/// <summary>
/// The palette beside the canvas: sources (devices, device types, places, ingress integrations), a
/// function, the organization's egress integrations with their status and type icon, and the routable
/// capabilities with the integration each routes to now, all searchable.
/// </summary>
public partial class FlowPalette
{
    private string? search;

    [Parameter, EditorRequired]
    public required FlowEditorModel Model { get; set; }

    [Parameter, EditorRequired]
    public required FlowEditorChoices Choices { get; set; }

    [Parameter, EditorRequired]
    public required FlowPaletteDrag Drag { get; set; }

    private sealed record Entry(FlowPaletteItem Item, string Name, string Detail, string Icon, string TestId, IntegrationStatus? Status = null);

    private sealed record Group(string Title, string Empty, IReadOnlyList<Entry> Items);

    private IEnumerable<Group> Groups()
    {
        var sources = Enum.GetValues<FlowSourceKind>()
            .SelectMany(kind => Choices.SourcesOf(kind).Select(choice => new Entry(
                new FlowPaletteItem(FlowNodeKind.Source, kind, choice.Reference),
                choice.Name, $"{FlowEditorText.SourceKind(kind)} · {choice.Detail}", SourceIcon(kind, choice), $"source-{choice.Name}")));
        Entry[] functions = [new(new FlowPaletteItem(FlowNodeKind.Function), "Function", "JavaScript transform", Icons.Material.Filled.Functions, "function")];
        var integrations = Choices.EgressIntegrations.Select(choice => new Entry(
            new FlowPaletteItem(FlowNodeKind.Destination, Reference: choice.Reference),
            choice.Name, choice.Detail, MaterialIcons.ByName(choice.Icon), $"integration-{choice.Name}", choice.Status));
        var capabilities = Choices.Capabilities.Select(choice => new Entry(
            new FlowPaletteItem(FlowNodeKind.Destination, Capability: choice.Reference),
            choice.Name, choice.Detail, MaterialIcons.ByName(choice.Icon), $"capability-{choice.Reference}"));

        yield return new Group("Sources", "No devices, places or ingress integrations yet.", Matching(sources));
        yield return new Group("Functions", "", Matching(functions));
        yield return new Group("Integrations", "No egress integrations yet.", Matching(integrations));
        // Sent wherever the routing rules say when each reading arrives, not to one fixed integration.
        yield return new Group("Capabilities", "", Matching(capabilities));
    }

    private static string SourceIcon(FlowSourceKind kind, FlowChoice choice) => kind switch
    {
        FlowSourceKind.Device => Icons.Material.Filled.Sensors,
        FlowSourceKind.Place => Icons.Material.Filled.Place,
        _ => MaterialIcons.ByName(choice.Icon),
    };

    private List<Entry> Matching(IEnumerable<Entry> entries) => string.IsNullOrWhiteSpace(search)
        ? entries.ToList()
        : entries.Where(e => e.Name.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase) || e.Detail.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();

    private void AddOnEnter(KeyboardEventArgs e, FlowPaletteItem item)
    {
        if (e.Key is "Enter" or " ")
        {
            Model.Add(item);
        }
    }
}
