using System.Text.Json;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Integrations.Components;

public partial class IntegrationSettingsForm
{
    private string name = "";
    private Dictionary<string, string?> values = [];
    private List<string> enabledCapabilities = [];
    private readonly Dictionary<string, string> errors = [];
    private string? metadataJson;
    private bool canOperate;
    private Guid? shownId;

    [Parameter, EditorRequired]
    public required IntegrationDetail Detail { get; set; }

    [Parameter]
    public EventCallback Saved { get; set; }

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    protected override void OnInitialized() => canOperate = CurrentUser.Can(PortalPermission.Operate);

    /// <summary>
    /// Shows the integration's values when another integration arrives (the page moved from A to B),
    /// and only then: a live refresh of the same integration (its status changed) keeps unsaved edits.
    /// </summary>
    protected override void OnParametersSet()
    {
        if (shownId == Detail.Id)
        {
            return;
        }

        shownId = Detail.Id;
        name = Detail.Name;
        values = Detail.Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        enabledCapabilities = [.. Detail.EnabledCapabilities];
        errors.Clear();
        secretsToReenter = [];
        ErrorMessage = null;
        var userMetadata = Detail.Metadata.Where(m => m.Key != Integration.VerifiedAccountKey).ToDictionary();
        metadataJson = userMetadata.Count == 0 ? null : JsonSerializer.Serialize(userMetadata);
    }

    /// <summary>
    /// The stored secrets the new destination needs typed again (empty while the destination is
    /// unchanged): shown in this form, required, with the reason next to them.
    /// </summary>
    private IReadOnlyList<Catalog.PropertySpec> secretsToReenter = [];

    private bool Shows(Catalog.PropertySpec spec) => !spec.Sensitive || secretsToReenter.Contains(spec);

    /// <summary>The refusal's banner goes once every field it pointed at is corrected.</summary>
    private void FieldChanged()
    {
        var before = Detail.Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        var stored = Detail.SecretsSet.Where(s => s.Value).Select(s => s.Key);
        foreach (var secret in secretsToReenter)
        {
            if (errors.GetValueOrDefault(secret.Name) == Catalog.DestinationRule.ReenterMessage(secret))
            {
                errors.Remove(secret.Name);
            }
        }

        secretsToReenter = Catalog.DestinationRule.SecretsToReenter(Detail.Type, before, values, stored, given: []);
        foreach (var secret in secretsToReenter.Where(s => string.IsNullOrEmpty(values.GetValueOrDefault(s.Name))))
        {
            errors[secret.Name] = Catalog.DestinationRule.ReenterMessage(secret);
        }

        if (errors.Count == 0)
        {
            ErrorMessage = null;
        }
    }

    private void CapabilitiesChanged()
    {
        errors.Remove(Catalog.Capabilities.EnabledField);
        FieldChanged();
    }

    private async Task SaveAsync()
    {
        var id = Detail.Id;
        var saved = await RunAsync(
            () => Integrations.UpdateAsync(id, new UpdateIntegrationInput
            {
                Name = name,
                Properties = values.Where(v => Detail.Type.Property(v.Key) is { } spec && Shows(spec) && spec.IsVisible(values)
                    && !(spec.Sensitive && string.IsNullOrEmpty(v.Value))).ToDictionary(),
                Metadata = string.IsNullOrEmpty(metadataJson) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(metadataJson) ?? [],
                EnabledCapabilities = [.. enabledCapabilities],
            }),
            confirmation: $"'{name}' is saved.",
            refused: e => ServiceErrors.ShowIn(errors, e));
        if (saved)
        {
            await Saved.InvokeAsync();
        }
    }
}
