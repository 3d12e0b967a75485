using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Flows.Destinations;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Flows.Editor;

/// <summary>Something a node can name: a device, a device type, a place, an integration.</summary>
/// <param name="Reference">What the node stores: an id as text, or a device type's key.</param>
/// <param name="Detail">A second line: the device's place, the integration's type.</param>
/// <param name="Icon">A Material icon name (catalog type icon for integrations).</param>
public sealed record FlowChoice(string Reference, string Name, string Detail, string Icon, IntegrationStatus? Status = null, string? TypeKey = null);

/// <summary>What the editor's pickers and palette offer, loaded once when the editor opens.</summary>
public sealed record FlowEditorChoices(
    IReadOnlyList<FlowChoice> Devices,
    IReadOnlyList<FlowChoice> DeviceTypes,
    IReadOnlyList<FlowChoice> Places,
    IReadOnlyList<FlowChoice> IngressIntegrations,
    IReadOnlyList<FlowChoice> EgressIntegrations,
    IReadOnlyList<FlowChoice> Capabilities)
{
    public static readonly FlowEditorChoices None = new([], [], [], [], [], []);

    /// <summary>The icon name of capability destinations (a route, not a type).</summary>
    public const string CapabilityIcon = "alt_route";

    public IReadOnlyList<FlowChoice> SourcesOf(FlowSourceKind kind) => kind switch
    {
        FlowSourceKind.Device => Devices,
        FlowSourceKind.DeviceType => DeviceTypes,
        FlowSourceKind.Place => Places,
        _ => IngressIntegrations,
    };

    public FlowChoice? Destination(Guid? integrationId) =>
        EgressIntegrations.FirstOrDefault(c => c.Reference == integrationId?.ToString());

    /// <summary>A routable capability with where its rules send it now (Status and TypeKey are the routed integration's, null with no route).</summary>
    public FlowChoice? Capability(string? capability) => Capabilities.FirstOrDefault(c => c.Reference == capability);

    /// <summary>What a destination node sends to: its capability or its integration.</summary>
    public FlowChoice? DestinationOf(FlowNode node) => node.Capability is { } capability ? Capability(capability) : Destination(node.IntegrationId);

    /// <summary>The name the canvas and the lists show for a node: its label, else what it names.</summary>
    public string Title(FlowNode node)
    {
        if (node.Label is { Length: > 0 } label)
        {
            return label;
        }

        return node.Kind switch
        {
            FlowNodeKind.Source when node.Source is { } kind =>
                SourcesOf(kind).FirstOrDefault(c => c.Reference == node.SourceRef)?.Name ?? $"{FlowEditorText.SourceKind(kind)} (pick one)",
            FlowNodeKind.Source => "Source (pick one)",
            FlowNodeKind.Function => "Function",
            _ when node.Capability is { } capability => Capability(capability)?.Name ?? capability,
            _ => Destination(node.IntegrationId)?.Name ?? "Destination (pick one)",
        };
    }
}

/// <summary>Loads <see cref="FlowEditorChoices"/> for the current organization.</summary>
public sealed class FlowEditorQueries(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<FlowEditorChoices> ChoicesAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see flows");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var places = await db.Places.AsNoTracking().OrderBy(p => p.Name).Select(p => new { p.Id, p.Name }).ToListAsync(ct);
        var placeNames = places.ToDictionary(p => p.Id, p => p.Name);
        var types = await DeviceTypeDefaults.EnsureAsync(db, ct);
        var typeNames = types.ToDictionary(t => t.Id, t => t.Name);
        var devices = await db.Devices.AsNoTracking().OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, d.PlaceId, d.DeviceTypeId }).ToListAsync(ct);
        var integrations = await db.Set<Integration>().AsNoTracking().OrderBy(i => i.Name)
            .Select(i => new { i.Id, i.Name, i.TypeKey, i.Status }).ToListAsync(ct);
        var catalog = CatalogData.Types.ToDictionary(t => t.Key);

        List<FlowChoice> IntegrationsOf(IntegrationDirection direction) => integrations
            .Where(i => catalog.TryGetValue(i.TypeKey, out var type) && type.Direction == direction)
            .Select(i => new FlowChoice(i.Id.ToString(), i.Name, catalog[i.TypeKey].DisplayName, catalog[i.TypeKey].Icon, i.Status, i.TypeKey))
            .ToList();

        return new FlowEditorChoices(
            devices.Select(d => new FlowChoice(d.Id.ToString(), d.Name,
                $"{typeNames.GetValueOrDefault(d.DeviceTypeId, "device")} in {placeNames.GetValueOrDefault(d.PlaceId, "?")}", "sensors")).ToList(),
            types.Select(t => new FlowChoice(t.Key, t.Name, $"every {t.Name.ToLowerInvariant()}", t.Icon)).ToList(),
            places.Select(p => new FlowChoice(p.Id.ToString(), p.Name, "every device under it", "place")).ToList(),
            IntegrationsOf(IntegrationDirection.Ingress),
            IntegrationsOf(IntegrationDirection.Egress),
            await CapabilitiesAsync(db, ct));
    }

    /// <summary>Each routable capability with the integration its rules pick now, as a run would route it.</summary>
    private static async Task<List<FlowChoice>> CapabilitiesAsync(PortalDbContext db, CancellationToken ct)
    {
        var choices = new List<FlowChoice>();
        foreach (var capability in CapabilityDestination.All)
        {
            var route = await ProviderRouter.RouteAsync(db, capability, [], ct);
            choices.Add(route is null
                ? new FlowChoice(capability, capability, "no active route", FlowEditorChoices.CapabilityIcon)
                : new FlowChoice(capability, capability, $"routes to {route.Integration.Name}{(route.FallbackUsed ? " (fallback)" : "")}",
                    FlowEditorChoices.CapabilityIcon, route.Integration.Status, route.Integration.TypeKey));
        }

        return choices;
    }
}
