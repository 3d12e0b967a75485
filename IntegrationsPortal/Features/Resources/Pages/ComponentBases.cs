using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Radzen;

namespace IntegrationsPortal.Features.Resources.Pages;

/// <summary>
/// A form in a dialog: the service's refusal shows next to its fields (or above the buttons), and a
/// successful save closes the dialog with its result.
/// </summary>
public abstract class FormDialogBase : ComponentBase
{
    private ServiceErrors errors = default!;

    [Inject]
    public required DialogService Dialogs { get; init; }

    protected EditContext EditContext { get; private set; } = default!;

    protected string? Message { get; private set; }

    protected bool Saving { get; private set; }

    protected void UseModel(object model)
    {
        EditContext = new EditContext(model);
        errors = new ServiceErrors(EditContext);
    }

    protected async Task SaveAndCloseAsync(Func<Task<object>> save)
    {
        Saving = true;
        try
        {
            Dialogs.Close(await save());
        }
        catch (PortalException e)
        {
            Message = errors.Show(e);
        }
        finally
        {
            Saving = false;
        }
    }
}

/// <summary>A panel about one place of the tree the page holds.</summary>
public abstract class PlacePanelBase : ComponentBase
{
    [Inject]
    public required PlacesService Places { get; init; }

    [Inject]
    public required DialogService Dialogs { get; init; }

    [Parameter, EditorRequired]
    public Guid PlaceId { get; set; }

    [Parameter, EditorRequired]
    public IReadOnlyList<PlaceNode> Tree { get; set; } = [];
}

/// <summary>A component about one integration's mappings.</summary>
public abstract class MappingComponentBase : ComponentBase
{
    [Inject]
    public required ResourceMappingService Mappings { get; init; }

    [Inject]
    public required DialogService Dialogs { get; init; }

    [Parameter, EditorRequired]
    public Guid IntegrationId { get; set; }
}
