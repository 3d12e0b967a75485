namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>Walks the tree the page already holds, for pickers and confirmation texts.</summary>
public static class PlaceTree
{
    public static PlaceNode? Find(IEnumerable<PlaceNode> nodes, Guid id) =>
        nodes.Select(n => n.Id == id ? n : Find(n.Children, id)).FirstOrDefault(n => n is not null);

    /// <summary>Places and devices below <paramref name="node"/> (its own devices included).</summary>
    public static (int Places, int Devices) CountInside(PlaceNode node) =>
        node.Children.Select(CountInside).Aggregate((Places: node.Children.Count, Devices: node.DeviceCount),
            (sum, child) => (sum.Places + child.Places, sum.Devices + child.Devices));

    /// <summary>Every place as "Site / Building / Floor", depth first, for drop-downs.</summary>
    public static IReadOnlyList<PlaceChoice> Flatten(IEnumerable<PlaceNode> nodes, string prefix = "") =>
        nodes.SelectMany(n => new[] { new PlaceChoice(n.Id, prefix + n.Name) }.Concat(Flatten(n.Children, $"{prefix}{n.Name} / "))).ToList();
}

public sealed record PlaceChoice(Guid Id, string Label);
