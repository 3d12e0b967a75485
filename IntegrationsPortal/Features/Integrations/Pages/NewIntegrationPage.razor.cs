using IntegrationsPortal.Features.Catalog;
using System.Text.Json;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Integrations.Pages;

public partial class NewIntegrationPage
{
    private IntegrationType? type;
    private IntegrationDraft draft = new();
    private string? message;
    private bool saving;

    [Parameter]
    public required string TypeKey { get; set; }

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required IntegrationDraftStore Drafts { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    protected override void OnParametersSet()
    {
        type = CatalogService.Find(TypeKey);
        if (type is not null)
        {
            draft = Drafts.For(type);
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
    }

    private async Task CreateAsync()
    {
        saving = true;
        message = null;
        try
        {
            var id = await Integrations.CreateAsync(new CreateIntegrationInput
            {
                TypeKey = type!.Key,
                Name = draft.Name,
                Properties = draft.Values.Where(v => type.Property(v.Key)!.IsVisible(draft.Values)).ToDictionary(),
                Metadata = string.IsNullOrEmpty(draft.MetadataJson) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(draft.MetadataJson) ?? [],
            });
            Drafts.Forget(type);
            Navigation.NavigateTo($"/integrations/{id}");
        }
        catch (PortalException e)
        {
            foreach (var (field, errors) in e.FieldErrors.Where(f => f.Key.Length > 0))
            {
                draft.Errors[field] = errors[0];
            }

            message = e.FieldErrors.Count == 0 || e.FieldErrors.ContainsKey("Metadata") ? e.Message : "Check the highlighted fields.";
        }
        finally
        {
            saving = false;
        }
    }
}
