namespace IntegrationsPortal.Features.Flows.Editor;

/// <summary>
/// Something the palette offers for the canvas: a node kind and, for sources and destinations, what
/// it names (a source's kind and reference, a destination's integration id, or a destination's capability).
/// </summary>
public sealed record FlowPaletteItem(FlowNodeKind Kind, FlowSourceKind? Source = null, string? Reference = null, string? Capability = null);

/// <summary>The palette item being dragged, shared by the palette (drag start) and the canvas (drop).</summary>
public sealed class FlowPaletteDrag
{
    public FlowPaletteItem? Item { get; set; }
}
