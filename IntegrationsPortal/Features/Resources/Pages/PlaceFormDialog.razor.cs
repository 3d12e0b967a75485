using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>Creates a place (under <see cref="ParentId"/>) or edits one (<see cref="EditId"/>); closes with its id.</summary>
public partial class PlaceFormDialog
{
    private static readonly IReadOnlyList<string> TimeZones =
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").Distinct().Order(StringComparer.Ordinal).ToList();

    private readonly PlaceInput input = new();
    private string metadataText = "";
    private MudNumericField<double?> latitudeField = default!;
    private MudNumericField<double?> longitudeField = default!;

    // The form shows once loaded, so nothing typed early is overwritten by the loaded values.
    private bool ready;

    [Inject]
    public required PlaceService Places { get; init; }

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
        // Text that is not a number leaves the bound value null and the form valid: without this the
        // place was saved without the coordinates the operator typed.
        ThrowIfNotANumber(latitudeField, nameof(PlaceInput.Latitude), "Latitude");
        ThrowIfNotANumber(longitudeField, nameof(PlaceInput.Longitude), "Longitude");
        input.Metadata = MetadataText.Parse(metadataText);
        if (EditId is { } id)
        {
            await Places.UpdatePlaceAsync(id, input);
            return id;
        }

        return await Places.CreatePlaceAsync(input);
    }, EditId is null ? $"'{input.Name}' created." : $"'{input.Name}' saved.");

    private static void ThrowIfNotANumber(MudNumericField<double?> field, string name, string label)
    {
        if (field.ConversionError)
        {
            throw PortalException.Invalid(name, $"{label} is a number in degrees, e.g. 52.52.");
        }
    }
}
