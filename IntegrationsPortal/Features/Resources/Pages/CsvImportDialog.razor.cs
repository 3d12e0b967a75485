using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

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

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

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
        }
        catch (IOException)
        {
            ErrorMessage = "The file could not be read; CSV files up to 2 MB are accepted.";
            return;
        }

        await PreviewAsync();
    }

    private Task PreviewAsync() => RunAsync(async () => preview = await Preview(csv));

    private async Task ImportAsync()
    {
        var imported = 0;
        if (await RunAsync(async () => imported = await Import(csv), null))
        {
            Snackbar.Add($"{imported} row(s) imported.", Severity.Success);
            Dialog.Close(DialogResult.Ok(imported));
        }
    }
}
