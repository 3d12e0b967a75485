using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>What an operator typed in step 2, per type, for as long as the circuit lives: Back to the catalog and forward again keeps it.</summary>
public sealed class IntegrationDraftStore
{
    private readonly Dictionary<string, IntegrationDraft> _drafts = [];

    public IntegrationDraft For(IntegrationType type)
    {
        if (!_drafts.TryGetValue(type.Key, out var draft))
        {
            draft = new IntegrationDraft { Name = $"{type.DisplayName} integration", EnabledCapabilities = [.. type.RoutableCapabilities] };
            foreach (var spec in type.Properties.Where(p => p.Default is not null))
            {
                draft.Values[spec.Name] = spec.Default;
            }

            _drafts[type.Key] = draft;
        }

        return draft;
    }

    public void Forget(IntegrationType type) => _drafts.Remove(type.Key);
}

public sealed class IntegrationDraft
{
    public string Name { get; set; } = "";

    public Dictionary<string, string?> Values { get; } = [];

    public Dictionary<string, string> Errors { get; } = [];

    public string? MetadataJson { get; set; }

    /// <summary>Ticked capabilities; all the type offers to begin with.</summary>
    public List<string> EnabledCapabilities { get; init; } = [];
}
