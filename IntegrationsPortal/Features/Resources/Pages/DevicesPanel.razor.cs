using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>The devices in one place, with add, edit (and move), delete and CSV import.</summary>
public partial class DevicesPanel
{
    private IReadOnlyList<DeviceSummary>? devices;
    private bool canOperate;

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    [Inject]
    public required DeviceService Devices { get; init; }

    [Inject]
    public required DeviceCsvImport DeviceImport { get; init; }

    /// <summary>Devices were added, moved or removed: the tree's counts change.</summary>
    [Parameter]
    public EventCallback Changed { get; set; }

    // A grid's columns are not components AuthorizeView can wrap, so the role is asked here.
    protected override void OnInitialized() => canOperate = CurrentUser.Can(PortalPermission.Operate);

    protected override async Task OnParametersSetAsync() => devices = await LoadAsync(() => Devices.ListDevicesAsync(PlaceId), []);

    private async Task EditAsync(DeviceSummary? device)
    {
        var saved = await Dialogs.OpenAsync<DeviceFormDialog, bool>(device is null ? "Add device" : $"Edit {device.Name}",
            new DialogParameters<DeviceFormDialog>
            {
                { d => d.Device, device },
                { d => d.PlaceId, PlaceId },
                { d => d.Places, PlaceTree.Flatten(Tree) },
            });
        if (saved is true)
        {
            await ReloadAsync();
        }
    }

    private async Task DeleteAsync(DeviceSummary device)
    {
        if (await ConfirmAsync("Delete device", $"Delete the device '{device.Name}'? This cannot be undone.", "Delete")
            && await RunAsync(() => Devices.DeleteDeviceAsync(device.Id), $"'{device.Name}' deleted."))
        {
            await ReloadAsync();
        }
    }

    private async Task ImportAsync()
    {
        if (await Dialogs.ImportCsvAsync("Import devices from CSV",
                "Columns: name, type (meter, thermostat, vehicle, sensor, gateway, ...), and optionally serial_number and external_ids (separated by ;). The devices go into this place.",
                csv => DeviceImport.PreviewAsync(PlaceId, csv), csv => DeviceImport.ImportAsync(PlaceId, csv)))
        {
            await ReloadAsync();
        }
    }

    private async Task ReloadAsync()
    {
        devices = await LoadAsync(() => Devices.ListDevicesAsync(PlaceId), devices ?? []);
        await Changed.InvokeAsync();
    }
}
