using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace IntegrationsPortal.Features.Resources.Pages;

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

/// <summary>A panel about one place of the tree the page holds.</summary>
public abstract class PlacePanelBase : ServiceComponentBase
{
    [Inject]
    public required PlacesService Places { get; init; }

    [Parameter, EditorRequired]
    public Guid PlaceId { get; set; }

    [Parameter, EditorRequired]
    public IReadOnlyList<PlaceNode> Tree { get; set; } = [];
}

/// <summary>A component about one integration's mappings.</summary>
public abstract class MappingComponentBase : ServiceComponentBase
{
    [Inject]
    public required ResourceMappingService Mappings { get; init; }

    [Parameter, EditorRequired]
    public Guid IntegrationId { get; set; }
}
