using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Radzen;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>Creates a place (under <see cref="ParentId"/>) or edits one (<see cref="EditId"/>); closes with its id.</summary>
public partial class PlaceFormDialog
{
    private static readonly IReadOnlyList<string> TimeZones =
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").Distinct().Order(StringComparer.Ordinal).ToList();

    private readonly PlaceInput input = new();
    private EditContext editContext = default!;
    private ServiceErrors errors = default!;
    private string metadataText = "";
    private string? message;
    private bool saving;

    [Inject]
    public required PlacesService Places { get; init; }

    [Inject]
    public required DialogService Dialogs { get; init; }

    [Parameter]
    public Guid? ParentId { get; set; }

    [Parameter]
    public Guid? EditId { get; set; }

    protected override async Task OnInitializedAsync()
    {
        editContext = new EditContext(input);
        errors = new ServiceErrors(editContext);
        input.ParentId = ParentId;
        if (EditId is { } id)
        {
            var place = await Places.GetPlaceAsync(id);
            (input.Name, input.Address, input.Latitude, input.Longitude, input.TimeZone) =
                (place.Name, place.Address, place.Latitude, place.Longitude, place.TimeZone);
            metadataText = MetadataText.Format(place.Metadata);
        }
    }

    private async Task SaveAsync()
    {
        saving = true;
        try
        {
            input.Metadata = MetadataText.Parse(metadataText);
            if (EditId is { } id)
            {
                await Places.UpdatePlaceAsync(id, input);
                Dialogs.Close(id);
            }
            else
            {
                Dialogs.Close(await Places.CreatePlaceAsync(input));
            }
        }
        catch (PortalException e)
        {
            message = errors.Show(e);
        }
        finally
        {
            saving = false;
        }
    }
}
