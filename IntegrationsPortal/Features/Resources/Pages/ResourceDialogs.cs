using Radzen;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>The dialogs the Resources pages open in more than one place.</summary>
public static class ResourceDialogs
{
    /// <summary>Asks before something is removed for good; true only when the person confirmed.</summary>
    public static async Task<bool> ConfirmRemovalAsync(this DialogService dialogs, string question, string title, string ok = "Delete") =>
        await dialogs.Confirm(question, title, new ConfirmOptions { OkButtonText = ok, CancelButtonText = "Cancel" }) == true;

    /// <summary>The two-step CSV import; true when rows were imported.</summary>
    public static async Task<bool> ImportCsvAsync(
        this DialogService dialogs, string title, string help, Func<string, Task<CsvPreview>> preview, Func<string, Task<int>> import) =>
        await dialogs.OpenAsync<CsvImportDialog>(title, new Dictionary<string, object?>
        {
            [nameof(CsvImportDialog.Help)] = help,
            [nameof(CsvImportDialog.Preview)] = preview,
            [nameof(CsvImportDialog.Import)] = import,
        }, new DialogOptions { Width = "760px" }) is int;
}
