using MudBlazor;

namespace IntegrationsPortal.Components.Shared;

public static class DialogServiceExtensions
{
    /// <summary>
    /// A yes/no message box for a destructive or disruptive action; true only on an explicit yes
    /// (Escape, the backdrop and No all keep things as they are). MudBlazor's dialogs trap focus.
    /// </summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string question, string yes, string no = "Cancel") =>
        await dialogs.ShowMessageBoxAsync(new MessageBoxOptions
        {
            Title = title,
            Message = question,
            YesText = yes,
            CancelText = no,
        }, new DialogOptions { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Small, FullWidth = true }) == true;
}
