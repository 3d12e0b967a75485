using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>Adds a device to a place, or edits one; picking another place moves it. Closes with true when saved.</summary>
public partial class DeviceFormDialog
{
    private readonly DeviceInput input = new();
    private IReadOnlyList<DeviceTypeSummary> types = [];
    private string externalIds = "";
    private string metadataText = "";

    // The form shows once loaded, so nothing typed early is overwritten by the loaded values.
    private bool ready;

    [Inject]
    public required DeviceService Devices { get; init; }

    /// <summary>The device to edit; null to add one.</summary>
    [Parameter]
    public DeviceSummary? Device { get; set; }

    [Parameter]
    public Guid PlaceId { get; set; }

    [Parameter, EditorRequired]
    public IReadOnlyList<PlaceChoice> Places { get; set; } = [];

    protected override async Task OnInitializedAsync()
    {
        UseModel(input);
        types = await LoadAsync(() => Devices.ListDeviceTypesAsync(), []);
        input.PlaceId = Device?.PlaceId ?? PlaceId;
        if (Device is { } device)
        {
            (input.Name, input.DeviceType, input.SerialNumber) = (device.Name, device.DeviceTypeKey, device.SerialNumber);
            externalIds = string.Join("; ", device.ExternalIds);
            metadataText = MetadataText.Format(device.Metadata);
        }
        else
        {
            input.DeviceType = types.Count > 0 ? types[0].Key : "";
        }

        ready = true;
    }

    private string TypeName(string? key) => types.FirstOrDefault(t => t.Key == key)?.Name ?? key ?? "";

    private string PlaceLabel(Guid? id) => Places.FirstOrDefault(p => p.Id == id)?.Label ?? "";

    private Task SaveAsync() => SaveAndCloseAsync(async () =>
    {
        input.ExternalIds = DeviceRules.ParseExternalIds(externalIds);
        input.Metadata = MetadataText.Parse(metadataText);
        if (Device is { } device)
        {
            await Devices.UpdateDeviceAsync(device.Id, input);
        }
        else
        {
            await Devices.CreateDeviceAsync(input);
        }

        return true;
    }, $"'{input.Name}' saved.");
}
