using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Radzen;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// A CSV import in two steps: preview (every row with its errors), then import, which the service
/// does all-or-nothing. Used for devices and for resource mappings; closes with the imported count.
/// </summary>
public partial class CsvImportDialog
{
    private const long MaxFileBytes = 2 * 1024 * 1024;
    private string csv = "";
    private CsvPreview? preview;
    private string? message;

    [Inject]
    public required DialogService Dialogs { get; init; }

    [Parameter, EditorRequired]
    public string Help { get; set; } = "";

    [Parameter, EditorRequired]
    public Func<string, Task<CsvPreview>> Preview { get; set; } = default!;

    [Parameter, EditorRequired]
    public Func<string, Task<int>> Import { get; set; } = default!;

    private async Task LoadFileAsync(InputFileChangeEventArgs e)
    {
        try
        {
            using var reader = new StreamReader(e.File.OpenReadStream(MaxFileBytes));
            csv = await reader.ReadToEndAsync();
            await PreviewAsync();
        }
        catch (IOException)
        {
            message = "The file could not be read; CSV files up to 2 MB are accepted.";
        }
    }

    private Task PreviewAsync() => RunAsync(async () => preview = await Preview(csv));

    private Task ImportAsync() => RunAsync(async () => Dialogs.Close(await Import(csv)));

    private async Task RunAsync(Func<Task> step)
    {
        message = null;
        try
        {
            await step();
        }
        catch (PortalException e)
        {
            message = e.Message;
        }
    }
}
