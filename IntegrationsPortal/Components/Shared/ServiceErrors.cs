using Microsoft.AspNetCore.Components.Forms;

namespace IntegrationsPortal.Components.Shared;

/// <summary>
/// Shows a service's refusal on a form: field errors next to their fields, the rest as one message
/// (returned, for the form to show above its buttons). Pass <see cref="Show"/> as the refusal
/// handler of <see cref="ServiceComponentBase.RunAsync"/>.
/// </summary>
public sealed class ServiceErrors
{
    private readonly EditContext editContext;
    private readonly ValidationMessageStore _store;

    public ServiceErrors(EditContext editContext)
    {
        this.editContext = editContext;
        _store = new ValidationMessageStore(editContext);
        // A refusal is about what was sent. Left in the store it would keep the form invalid after the
        // operator corrected the field, and OnValidSubmit would never run again: the service checks anew.
        editContext.OnFieldChanged += (_, e) => _store.Clear(e.FieldIdentifier);
        editContext.OnValidationRequested += (_, _) => _store.Clear();
    }

    public string? Show(PortalException error)
    {
        _store.Clear();
        var fieldErrors = error.FieldErrors.Where(f => f.Key.Length > 0 && HasField(f.Key)).ToList();
        foreach (var (field, messages) in fieldErrors)
        {
            _store.Add(editContext.Field(field), messages);
        }

        editContext.NotifyValidationStateChanged();
        return fieldErrors.Count > 0 ? null : error.Message;
    }

    public void Clear()
    {
        _store.Clear();
        editContext.NotifyValidationStateChanged();
    }

    /// <summary>
    /// For forms that keep field errors in a dictionary (the generated property forms): copies the
    /// refusal's field errors in, first message per field. Returns the refusal's message.
    /// </summary>
    public static string ShowIn(IDictionary<string, string> errors, PortalException error)
    {
        foreach (var (field, messages) in error.FieldErrors.Where(f => f.Key.Length > 0 && f.Value.Length > 0))
        {
            errors[field] = messages[0];
        }

        return error.Message;
    }

    private bool HasField(string name) => editContext.Model.GetType().GetProperty(name) is not null;
}
