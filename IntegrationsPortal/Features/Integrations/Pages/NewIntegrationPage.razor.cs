using System.Text.Json;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Catalog;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Integrations.Pages;

public partial class NewIntegrationPage
{
    /// <summary>Created with a generated signing secret: shown once here before going on to the integration.</summary>
    private CreatedIntegration? issued;

    private IntegrationType? type;
    private IntegrationDraft draft = new();

    [Parameter]
    public required string TypeKey { get; set; }

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required IntegrationDraftStore Drafts { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required Uplinks.UplinkTokens UplinkTokens { get; init; }

    [Inject]
    public required Uplinks.UplinkTokenHandoff UplinkTokenHandoff { get; init; }

    protected override void OnParametersSet()
    {
        type = CatalogService.Find(TypeKey);
        if (type is null)
        {
            return;
        }

        draft = Drafts.For(type);
        // Back keeps the draft, but not its secrets: a secret field is never filled in for the
        // operator, and an empty-looking field must not hold a value that Create would send.
        foreach (var secret in type.Properties.Where(p => p.Sensitive))
        {
            draft.Values.Remove(secret.Name);
            draft.Errors.Remove(secret.Name);
        }
    }

    private void SetName(string? name)
    {
        draft.Name = name ?? "";
        if (string.IsNullOrWhiteSpace(name))
        {
            draft.Errors["Name"] = "Name the integration.";
        }
        else
        {
            draft.Errors.Remove("Name");
        }

        FieldChanged();
    }

    /// <summary>"Check the highlighted fields" goes once nothing is highlighted any more.</summary>
    private void FieldChanged()
    {
        if (draft.Errors.Count == 0)
        {
            ErrorMessage = null;
        }
    }

    private void CapabilitiesChanged()
    {
        draft.Errors.Remove(Catalog.Capabilities.EnabledField);
        FieldChanged();
    }

    private async Task CreateAsync()
    {
        var creating = type!;
        CreatedIntegration? result = null;
        var created = await RunAsync(
            async () => result = await Integrations.CreateIssuingSecretAsync(new CreateIntegrationInput
            {
                TypeKey = creating.Key,
                Name = draft.Name,
                Properties = draft.Values.Where(v => creating.Property(v.Key)!.IsVisible(draft.Values)).ToDictionary(),
                Metadata = string.IsNullOrEmpty(draft.MetadataJson) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(draft.MetadataJson) ?? [],
                EnabledCapabilities = [.. draft.EnabledCapabilities],
            }),
            confirmation: $"'{draft.Name}' is created; checking it now.",
            refused: e =>
            {
                var message = ServiceErrors.ShowIn(draft.Errors, e);
                return e.FieldErrors.Count == 0 || e.FieldErrors.ContainsKey("Metadata") ? message : "Check the highlighted fields.";
            });
        // A pushed type's first token, shown once on the page the wizard goes to.
        if (created && creating.ReceivesPushes)
        {
            created = await RunAsync(async () => UplinkTokenHandoff.Give(result!.Id, await UplinkTokens.IssueAsync(result.Id)));
        }

        if (created)
        {
            Drafts.Forget(creating);
            if (result!.IssuedSigningSecret is null)
            {
                Navigation.NavigateTo($"/integrations/{result.Id}");
            }
            else
            {
                issued = result;
            }
        }
    }
}
