using Microsoft.AspNetCore.Components;
using Radzen;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>The devices in one place, with add, edit (and move), delete and CSV import.</summary>
public partial class DevicesPanel
{
    private IReadOnlyList<DeviceSummary>? devices;
    private string? message;

    /// <summary>Devices were added, moved or removed: the tree's counts change.</summary>
    [Parameter]
    public EventCallback Changed { get; set; }

    protected override async Task OnParametersSetAsync() => devices = await Places.ListDevicesAsync(PlaceId);

    private async Task EditAsync(DeviceSummary? device)
    {
        var saved = await Dialogs.OpenAsync<DeviceFormDialog>(device is null ? "Add device" : $"Edit {device.Name}",
            new Dictionary<string, object?>
            {
                [nameof(DeviceFormDialog.Device)] = device,
                [nameof(DeviceFormDialog.PlaceId)] = PlaceId,
                [nameof(DeviceFormDialog.Places)] = PlaceTree.Flatten(Tree),
            });
        if (saved is true)
        {
            await ReloadAsync();
        }
    }

    private async Task DeleteAsync(DeviceSummary device)
    {
        if (!await Dialogs.ConfirmRemovalAsync($"Delete the device '{device.Name}'? This cannot be undone.", "Delete device"))
        {
            return;
        }

        try
        {
            await Places.DeleteDeviceAsync(device.Id);
            await ReloadAsync();
        }
        catch (PortalException e)
        {
            message = e.Message;
        }
    }

    private async Task ImportAsync()
    {
        if (await Dialogs.ImportCsvAsync("Import devices from CSV",
                "Columns: name, type (meter, thermostat, vehicle, sensor, gateway, ...), and optionally serial_number and external_ids (separated by ;). The devices go into this place.",
                csv => Places.PreviewDeviceImportAsync(PlaceId, csv), csv => Places.ImportDevicesAsync(PlaceId, csv)))
        {
            await ReloadAsync();
        }
    }

    private async Task ReloadAsync()
    {
        message = null;
        devices = await Places.ListDevicesAsync(PlaceId);
        await Changed.InvokeAsync();
    }
}
