using Microsoft.AspNetCore.Components;
using Radzen;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// Adds or edits one mapping. Every keystroke and pick asks the service whether the mapping would be
/// accepted, so the reason shows before saving; the save itself checks again. Closes with true.
/// </summary>
public partial class MappingFormDialog
{
    private readonly MappingInput input = new();
    private MappingCheck? check;
    private string? message;
    private bool touchedExternalId;
    private bool touchedResource;

    [Parameter, EditorRequired]
    public MappingRules Rules { get; set; } = default!;

    /// <summary>The mapping to edit; null to add one.</summary>
    [Parameter]
    public ResourceMappingSummary? Mapping { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (Mapping is not null)
        {
            (input.ExternalId, input.ResourcePath) = (Mapping.ExternalId, Mapping.Resource?.Path ?? "");
            (touchedExternalId, touchedResource) = (true, true);
            await CheckAsync();
        }
    }

    private string? Error(string field) =>
        (field == nameof(MappingInput.ExternalId) ? touchedExternalId : touchedResource) ? check?.Errors.GetValueOrDefault(field) : null;

    private async Task OnExternalIdChangedAsync()
    {
        touchedExternalId = true;
        await CheckAsync();
    }

    private async Task OnResourcePicked(string path)
    {
        input.ResourcePath = path;
        touchedResource = true;
        await CheckAsync();
    }

    private async Task CheckAsync()
    {
        try
        {
            check = await Mappings.CheckAsync(IntegrationId, input, Mapping?.Id);
            message = null;
        }
        catch (PortalException e)
        {
            message = e.Message;
        }
    }

    private async Task SaveAsync()
    {
        try
        {
            if (Mapping is null)
            {
                await Mappings.CreateAsync(IntegrationId, input);
            }
            else
            {
                await Mappings.UpdateAsync(IntegrationId, Mapping.Id, input);
            }

            Dialogs.Close(true);
        }
        catch (PortalException e)
        {
            (touchedExternalId, touchedResource) = (true, true);
            message = e.FieldErrors.Count > 0 ? null : e.Message;
            check = new MappingCheck(e.FieldErrors.ToDictionary(f => f.Key, f => string.Join(" ", f.Value)), check?.Resource);
        }
    }
}
