using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>Creates a place (under <see cref="ParentId"/>) or edits one (<see cref="EditId"/>); closes with its id.</summary>
public partial class PlaceFormDialog
{
    private static readonly IReadOnlyList<string> TimeZones =
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").Distinct().Order(StringComparer.Ordinal).ToList();

    private readonly PlaceInput input = new();
    private string metadataText = "";

    // The form shows once loaded, so nothing typed early is overwritten by the loaded values.
    private bool ready;

    [Inject]
    public required PlacesService Places { get; init; }

    [Parameter]
    public Guid? ParentId { get; set; }

    [Parameter]
    public Guid? EditId { get; set; }

    protected override async Task OnInitializedAsync()
    {
        UseModel(input);
        input.ParentId = ParentId;
        // A place deleted meanwhile is a refusal: the form then shows the reason.
        if (EditId is { } id && await LoadAsync<PlaceDetails?>(async () => await Places.GetPlaceAsync(id), null) is { } place)
        {
            (input.Name, input.Address, input.Latitude, input.Longitude, input.TimeZone) =
                (place.Name, place.Address, place.Latitude, place.Longitude, place.TimeZone);
            metadataText = MetadataText.Format(place.Metadata);
        }

        ready = true;
    }

    private Task<IEnumerable<string>> SearchTimeZones(string? text, CancellationToken ct) =>
        Task.FromResult(string.IsNullOrWhiteSpace(text) ? TimeZones : TimeZones.Where(z => z.Contains(text, StringComparison.OrdinalIgnoreCase)));

    private Task SaveAsync() => SaveAndCloseAsync(async () =>
    {
        input.Metadata = MetadataText.Parse(metadataText);
        if (EditId is { } id)
        {
            await Places.UpdatePlaceAsync(id, input);
            return id;
        }

        return await Places.CreatePlaceAsync(input);
    }, EditId is null ? $"'{input.Name}' created." : $"'{input.Name}' saved.");
}
