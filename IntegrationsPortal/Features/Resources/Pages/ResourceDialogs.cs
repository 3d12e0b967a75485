using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>The dialogs the Resources pages open, with typed parameters and results.</summary>
public static class ResourceDialogs
{
    /// <summary>Forms: wide enough for two fields side by side; Escape cancels (MudBlazor traps focus inside).</summary>
    public static DialogOptions Form => new() { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true };

    /// <summary>Tables (CSV preview, device types, a message's attempts).</summary>
    public static DialogOptions Wide => new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };

    /// <summary>Opens <typeparamref name="TDialog"/> and waits; its result, or null when it was cancelled.</summary>
    public static async Task<TResult?> OpenAsync<TDialog, TResult>(
        this IDialogService dialogs, string title, DialogParameters<TDialog> parameters, DialogOptions? options = null)
        where TDialog : Microsoft.AspNetCore.Components.IComponent
        where TResult : struct
    {
        var reference = await dialogs.ShowAsync<TDialog>(title, parameters, options ?? Form);
        return await reference.Result is { Canceled: false, Data: TResult data } ? data : null;
    }

    /// <summary>The two-step CSV import; true when rows were imported.</summary>
    public static async Task<bool> ImportCsvAsync(
        this IDialogService dialogs, string title, string help, Func<string, Task<CsvPreview>> preview, Func<string, Task<int>> import) =>
        await dialogs.OpenAsync<CsvImportDialog, int>(title, new DialogParameters<CsvImportDialog>
        {
            { d => d.Help, help },
            { d => d.Preview, preview },
            { d => d.Import, import },
        }, Wide) is not null;
}
