using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// Adds or edits one mapping. Every keystroke and pick asks the service whether the mapping would be
/// accepted, so the reason shows before saving; the save itself checks again. Closes with true.
/// </summary>
public partial class MappingFormDialog
{
    private readonly MappingInput input = new();
    private MappingCheck? check;
    private bool touchedExternalId;
    private bool touchedResource;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Parameter, EditorRequired]
    public MappingRules Rules { get; set; } = default!;

    /// <summary>The mapping to edit; null to add one.</summary>
    [Parameter]
    public ResourceMappingSummary? Mapping { get; set; }

    /// <summary>An external id to start a new mapping with (an unmapped device EUI that pushed).</summary>
    [Parameter]
    public string? ExternalId { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (Mapping is null && ExternalId is not null)
        {
            (input.ExternalId, touchedExternalId) = (ExternalId, true);
            await CheckAsync();
        }

        if (Mapping is not null)
        {
            (input.ExternalId, input.ResourcePath) = (Mapping.ExternalId, Mapping.Resource?.Path ?? "");
            (touchedExternalId, touchedResource) = (true, true);
            await CheckAsync();
        }
    }

    // A field's reason shows once the operator has touched it, not while the form is still empty.
    private string? Error(string field) =>
        (field == nameof(MappingInput.ExternalId) ? touchedExternalId : touchedResource) ? check?.Errors.GetValueOrDefault(field) : null;

    private async Task OnExternalIdChangedAsync(string? text)
    {
        input.ExternalId = text ?? "";
        touchedExternalId = true;
        await CheckAsync();
    }

    private async Task OnResourcePicked(string path)
    {
        input.ResourcePath = path;
        touchedResource = true;
        await CheckAsync();
    }

    private async Task CheckAsync() => check = await LoadAsync<MappingCheck?>(async () => await Mappings.CheckAsync(IntegrationId, input, Mapping?.Id), check);

    private async Task SaveAsync()
    {
        var saved = await RunAsync(
            async () =>
            {
                if (Mapping is null)
                {
                    await Mappings.CreateAsync(IntegrationId, input);
                }
                else
                {
                    await Mappings.UpdateAsync(IntegrationId, Mapping.Id, input);
                }
            },
            $"'{input.ExternalId}' mapped.",
            refused =>
            {
                // The save checks again; what changed since the last check shows next to its field.
                (touchedExternalId, touchedResource) = (true, true);
                check = new MappingCheck(refused.FieldErrors.ToDictionary(f => f.Key, f => string.Join(" ", f.Value)), check?.Resource);
                return refused.FieldErrors.Count > 0 ? null : refused.Message;
            });
        if (saved)
        {
            Dialog.Close(DialogResult.Ok(true));
        }
    }
}
