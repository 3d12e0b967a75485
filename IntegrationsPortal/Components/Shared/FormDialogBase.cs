using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace IntegrationsPortal.Components.Shared;

/// <summary>
/// A form in a MudDialog: the service's refusal shows next to its fields (or above the buttons), and a
/// successful save closes the dialog with its result.
/// </summary>
public abstract class FormDialogBase : ServiceComponentBase
{
    private ServiceErrors errors = default!;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    protected EditContext EditContext { get; private set; } = default!;

    protected void UseModel(object model)
    {
        EditContext = new EditContext(model);
        errors = new ServiceErrors(EditContext);
    }

    protected Task SaveAndCloseAsync<TResult>(Func<Task<TResult>> save, string confirmation) =>
        RunAsync(async () => Dialog.Close(DialogResult.Ok(await save())), confirmation, errors.Show);

    protected void Cancel() => Dialog.Cancel();
}
